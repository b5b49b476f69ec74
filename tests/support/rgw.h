// A real Ceph RADOS Gateway for S3 tests: scripts/rgw.sh started in a ScratchDir on free
// loopback ports (radosgw and the monitor), stopped by its PIDs when the object goes away.
#pragma once

#include <memory>
#include <string>

#include "s3/location.h"
#include "support/scratch_dir.h"

namespace walpipe::testing {

// "" when the Ceph programs rgw.sh runs are installed; otherwise what is missing.
std::string ceph_missing();

// A loopback TCP port nothing listens on now, never the same one twice in this process.
int unused_loopback_port();

class Rgw {
 public:
  // Starts a cluster (about 20 s); nullptr with `why` set when rgw.sh failed.
  static std::unique_ptr<Rgw> start(std::string* why);
  ~Rgw();
  Rgw(const Rgw&) = delete;
  Rgw& operator=(const Rgw&) = delete;

  // Endpoint, region and the S3 user's keys, as rgw.sh wrote them to DIR/env.
  const s3::S3Settings& settings() const { return settings_; }
  double start_seconds() const { return start_seconds_; }
  // The resident memory of the monitor, the OSD and radosgw together, in MiB.
  double rss_mib() const;
  // The last lines of radosgw's log, for a failure's message.
  std::string log_tail() const;

 private:
  Rgw() = default;
  ScratchDir dir_;
  s3::S3Settings settings_;
  double start_seconds_ = 0;
};

}  // namespace walpipe::testing
