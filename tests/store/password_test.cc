// Passwords: Argon2id hashes with today's costs, and the server-wide hash
// slots, which a process killed while holding one cannot keep.
#include "server/password.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sodium.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace chat::server {
namespace {

TEST(PasswordTest, HashVerifiesOnlyItsPasswordWithTodaysCosts) {
  ASSERT_GE(sodium_init(), 0);
  std::string hash = HashPassword("correct-horse", nullptr);
  ASSERT_EQ(hash.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << hash;
  EXPECT_TRUE(VerifyPassword(hash, "correct-horse", nullptr));
  EXPECT_FALSE(VerifyPassword(hash, "correct-horsE", nullptr));
  EXPECT_FALSE(NeedsRehash(hash));
  char weaker[crypto_pwhash_STRBYTES];
  ASSERT_EQ(crypto_pwhash_str_alg(weaker, "pw", 2, 1, 8192,
                                  crypto_pwhash_ALG_ARGON2ID13),
            0);
  EXPECT_TRUE(NeedsRehash(weaker));
}

TEST(PasswordTest, WipeClearsTheBytes) {
  std::string secret = "correct-horse";
  const char* bytes = secret.data();
  Wipe(&secret);
  EXPECT_TRUE(secret.empty());
  EXPECT_EQ(bytes[0], '\0');
}

TEST(HashSlotsTest, SlotOfAProcessKilledHoldingItIsFreed) {
  std::string error;
  auto slots = HashSlots::Create(1, &error);
  ASSERT_TRUE(slots) << error;
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    HashSlots::Hold hold(&*slots);
    (void)!write(ready[1], "x", 1);
    pause();  // killed here, holding the only slot
    _exit(0);
  }
  char byte;
  ASSERT_EQ(read(ready[0], &byte, 1), 1);
  kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  // The only slot is free again: this would wait for ever otherwise. A
  // thread keeps the wait bounded.
  bool taken = false;
  std::thread taker([&] {
    HashSlots::Hold hold(&*slots);
    taken = true;
  });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!taken && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(taken) << "the dead holder's slot was never given back";
  taker.join();
  close(ready[0]);
  close(ready[1]);
}

}  // namespace
}  // namespace chat::server
