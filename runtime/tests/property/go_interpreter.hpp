// go_interpreter.hpp — the Go side of the differential tests: go/interpreter.go, built once per
// test process and kept running, one program per request over a pipe.
//
//   GoInterpreter& go = GoInterpreter::instance();
//   if (!go.unavailable().empty()) GTEST_SKIP() << go.unavailable();
//   std::string output = go.run(program_text);   // up to and including "---end---\n"
//
// The interpreter is built with the standard library only and no module downloads
// (GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local), so the ~1 s compile is paid once. Without a
// `go` on PATH, unavailable() says so and the tests skip.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

extern char** environ;

namespace goro::property {

// GoInterpreter builds go/interpreter.go once and keeps it running, one program per request.
class GoInterpreter {
 public:
  static GoInterpreter& instance() {
    static GoInterpreter interpreter;
    return interpreter;
  }

  // unavailable() says why Go cannot be used (empty when it can).
  const std::string& unavailable() const { return unavailable_; }

  std::string run(const std::string& program) {
    if (std::fputs(program.c_str(), to_) < 0 || std::fflush(to_) != 0) throw std::runtime_error("write to the Go interpreter failed");
    std::string out;
    char line[4096];
    while (std::fgets(line, sizeof line, from_) != nullptr) {
      out += line;
      if (std::string(line) == "---end---\n") return out;
    }
    throw std::runtime_error("the Go interpreter exited; output so far:\n" + out);
  }

 private:
  GoInterpreter() {
    namespace fs = std::filesystem;
    if (std::system("command -v go >/dev/null 2>&1") != 0) {
      unavailable_ = "`go` is not on PATH: install Debian's golang-go (apt-get install golang-go) to run the differential tests";
      return;
    }
    char pattern[] = "/tmp/goro-differential-XXXXXX";
    if (mkdtemp(pattern) == nullptr) {
      unavailable_ = "cannot make a temporary directory";
      return;
    }
    dir_ = pattern;
    fs::copy_file(GORO_GO_INTERPRETER_SOURCE, dir_ / "main.go");
    std::ofstream(dir_ / "go.mod") << "module goro.test/interpreter\n\ngo 1.19\n";
    const std::string cache = std::getenv("GOCACHE") != nullptr ? "" : " GOCACHE=" + (dir_ / "cache").string();
    const std::string build = "cd " + dir_.string() +
                              " && env GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local GO111MODULE=on" + cache +
                              " go build -o interpreter . > build.log 2>&1";
    if (std::system(build.c_str()) != 0) {
      std::ifstream log(dir_ / "build.log");
      std::stringstream text;
      text << log.rdbuf();
      unavailable_ = "building the Go interpreter failed:\n" + text.str();
      return;
    }
    start((dir_ / "interpreter").string());
  }

  ~GoInterpreter() {
    if (to_ != nullptr) std::fclose(to_);  // EOF: the interpreter exits
    if (from_ != nullptr) std::fclose(from_);
    if (pid_ > 0) waitpid(pid_, nullptr, 0);
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }

  void start(const std::string& program) {
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, in[1]);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    char* argv[] = {const_cast<char*>(program.c_str()), nullptr};
    if (posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv, environ) != 0) {
      unavailable_ = "cannot start the Go interpreter";
    }
    posix_spawn_file_actions_destroy(&actions);
    close(in[0]);
    close(out[1]);
    fcntl(in[1], F_SETFD, FD_CLOEXEC);
    fcntl(out[0], F_SETFD, FD_CLOEXEC);
    to_ = fdopen(in[1], "w");
    from_ = fdopen(out[0], "r");
  }

  std::string unavailable_;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  FILE* to_ = nullptr;
  FILE* from_ = nullptr;
};

}  // namespace goro::property
