// ServerProcess: starts ./server on port 0 and learns the port it got.
#include "support/server_process.h"

#include <ftw.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <cstdlib>

namespace chat::test {

std::unique_ptr<ServerProcess> ServerProcess::Start(
    const std::vector<std::string>& extra_args,
    const std::vector<std::string>& env) {
  auto server = std::unique_ptr<ServerProcess>(new ServerProcess());
  std::vector<std::string> args{"0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  // A fresh data directory of its own, unless the test names one (or runs
  // without a database).
  bool has_dir = false;
  for (const auto& arg : extra_args) {
    if (arg == "--data-dir" || arg == "--ephemeral") has_dir = true;
  }
  if (!has_dir) {
    server->own_data_dir_ = MakeTempDir();
    args.push_back("--data-dir");
    args.push_back(server->own_data_dir_);
  }
  Subprocess::Options options;
  options.env = env;
  server->process_ = Subprocess::Start(ProgramPath("server"), args, options);
  auto line = server->process_->WaitForStdout("listening on ");
  if (!line) {
    ADD_FAILURE() << "server did not print 'listening on HOST:PORT'";
    return nullptr;
  }
  size_t colon = line->rfind(':');
  server->port_ = static_cast<uint16_t>(std::stoi(line->substr(colon + 1)));
  server->log_thread_ = std::thread([s = server.get()] { s->CollectLog(); });
  return server;
}

ServerProcess::~ServerProcess() {
  stopping_ = true;
  if (log_thread_.joinable()) log_thread_.join();
  // The server may still be running until process_ is destroyed; remove
  // the directory after it is gone.
  process_.reset();
  if (!own_data_dir_.empty()) RemoveTree(own_data_dir_);
}

std::string MakeTempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base && *base ? base : "/tmp") + "/chat-test.XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (!mkdtemp(buffer.data())) {
    ADD_FAILURE() << "mkdtemp " << pattern << " failed";
    return pattern;
  }
  return buffer.data();
}

void RemoveTree(const std::string& path) {
  nftw(
      path.c_str(),
      [](const char* name, const struct stat*, int, FTW*) {
        return remove(name);
      },
      16, FTW_DEPTH | FTW_PHYS);
}

void ServerProcess::CollectLog() {
  // Short reads so the thread notices `stopping_` promptly; stderr may stay
  // open after the server dies if a worker outlives it.
  while (!stopping_) {
    auto line = process_->err().ReadLine(std::chrono::milliseconds(50));
    if (line) {
      std::lock_guard lock(mutex_);
      log_.push_back(std::move(*line));
      log_arrived_.notify_all();
    } else if (process_->err().eof()) {
      break;
    }
  }
}

std::optional<std::string> ServerProcess::WaitForLog(
    std::string_view needle, std::chrono::milliseconds timeout,
    std::vector<std::string>* skipped) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mutex_);
  for (;;) {
    while (!log_.empty()) {
      std::string line = std::move(log_.front());
      log_.pop_front();
      if (line.find(needle) != std::string::npos) return line;
      if (skipped != nullptr) skipped->push_back(std::move(line));
    }
    if (log_arrived_.wait_until(lock, deadline) == std::cv_status::timeout &&
        log_.empty()) {
      return std::nullopt;
    }
  }
}

}  // namespace chat::test
