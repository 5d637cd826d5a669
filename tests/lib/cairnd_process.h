// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// CairndProcess: a real cairnd child process for end-to-end tests. The daemon is started
// with the given arguments (typically `--rpc_port 0` so it picks a free port); its first
// stdout line, "cairnd: serving thrift on HOST:PORT", gives the port. Unless the arguments
// set --admin_port, the admin endpoint gets a free port too (`--admin_port 0`): tests run
// several daemons on one address at once. The destructor kills it (SIGKILL) if the test
// has not stopped it.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace cairn::test {

class CairndProcess {
 public:
  // `args[0]` is the cairnd binary. port() is 0 when the daemon did not start.
  explicit CairndProcess(std::vector<std::string> args) {
    bool admin_port = false;
    for (const std::string& a : args) admin_port = admin_port || a == "--admin_port";
    if (!admin_port) {
      args.push_back("--admin_port");
      args.push_back("0");
    }
    int out[2];
    if (::pipe(out) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      _exit(127);
    }
    ::close(out[1]);
    FILE* f = ::fdopen(out[0], "r");
    char line[256] = {0};
    if (std::fgets(line, sizeof line, f) != nullptr) {
      std::string s(line);
      const auto colon = s.rfind(':');
      if (colon != std::string::npos) port_ = std::atoi(s.c_str() + colon + 1);
    }
    std::fclose(f);
  }
  ~CairndProcess() {
    if (pid_ > 0) Signal(SIGKILL);
  }
  CairndProcess(const CairndProcess&) = delete;
  CairndProcess& operator=(const CairndProcess&) = delete;

  int port() const { return port_; }

  // Sends `sig`, waits, and returns the exit status (or 128 + the signal number).
  int Signal(int sig) {
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace cairn::test
