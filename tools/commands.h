// Each walpipe command: argv after the command name in, exit code out.
#pragma once

#include <string>
#include <vector>

namespace walpipe::cli {

int cmd_verify(const std::vector<std::string>& args);
int cmd_push(const std::vector<std::string>& args);
int cmd_get(const std::vector<std::string>& args);
int cmd_status(const std::vector<std::string>& args);
int cmd_metrics(const std::vector<std::string>& args);
int cmd_check(const std::vector<std::string>& args);
int cmd_list(const std::vector<std::string>& args);
int cmd_restore_plan(const std::vector<std::string>& args);
int cmd_drill(const std::vector<std::string>& args);
int cmd_expire(const std::vector<std::string>& args);
int cmd_copy(const std::vector<std::string>& args);

}  // namespace walpipe::cli
