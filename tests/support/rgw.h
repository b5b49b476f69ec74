// A real Ceph RADOS Gateway for S3 tests. Under ctest, one gateway serves every S3 test program
// (the `rgw` fixture, tests/support/shared_rgw.sh, named by WALPIPE_TEST_RGW) and each Rgw is a
// user in a tenant of its own there, so bucket names never collide between programs. Run alone,
// a program starts scripts/rgw.sh in a ScratchDir on free loopback ports (radosgw and the
// monitor), stopped by its PIDs when the object goes away.
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
  // Joins the shared gateway, or starts a cluster (about 20 s); nullptr with `why` set when
  // rgw.sh or radosgw-admin failed.
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
  bool join(const std::string& shared_dir, std::string* why);
  bool start_own(std::string* why);
  bool read_env(std::string* why);

  ScratchDir dir_;
  std::string ceph_dir_;  // the cluster's folder, shared or in dir_
  bool owned_ = false;    // started here, so stopped here
  s3::S3Settings settings_;
  double start_seconds_ = 0;
};

}  // namespace walpipe::testing
