// Each walpipe command: its name as the operator typed it (for its messages) and the arguments
// after it in, exit code out.
#pragma once

#include <string>
#include <vector>

namespace walpipe::cli {

int cmd_verify(const std::string& command, const std::vector<std::string>& args);
int cmd_push(const std::string& command, const std::vector<std::string>& args);
int cmd_get(const std::string& command, const std::vector<std::string>& args);
int cmd_status(const std::string& command, const std::vector<std::string>& args);
int cmd_metrics(const std::string& command, const std::vector<std::string>& args);
int cmd_check(const std::string& command, const std::vector<std::string>& args);
int cmd_list(const std::string& command, const std::vector<std::string>& args);
int cmd_restore_plan(const std::string& command, const std::vector<std::string>& args);
int cmd_drill(const std::string& command, const std::vector<std::string>& args);
int cmd_expire(const std::string& command, const std::vector<std::string>& args);
int cmd_copy(const std::string& command, const std::vector<std::string>& args);

}  // namespace walpipe::cli
