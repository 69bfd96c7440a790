#include "server/store/reply_limits.h"

#include <hiredis/hiredis.h>

namespace qbot::server {
ReplyLimits::ReplyLimits(redisReader* reader) : reader_(reader), inner_(reader->fn) {
  // One table for every reader: hiredis's builders are the same functions
  // for all of them, and ours only forward after counting. hiredis passes
  // each task the reader's privdata, which is how a builder finds `this`.
  static redisReplyObjectFunctions table{&create_string, &create_array, &create_integer, &create_nil,
                                         reader->fn->freeObject};
  reader->fn = &table;
  reader->privdata = this;
}

ReplyLimits& ReplyLimits::of(const redisReadTask* task) { return *static_cast<ReplyLimits*>(task->privdata); }

void ReplyLimits::start_if_root(const redisReadTask* task) {
  if (task->parent == nullptr) {
    elements_ = 0;
    refused_.clear();
  }
}

void* ReplyLimits::create_array(const redisReadTask* task, int elements) {
  ReplyLimits& self = of(task);
  self.start_if_root(task);
  // hiredis refuses headers past INT_MAX itself ("Multi-bulk length out of
  // range"); a negative count would be one narrowed to this int.
  if (elements < 0 || static_cast<std::size_t>(elements) > kMaxElements - self.elements_) {
    self.refused_ = "reply refused: more than " + std::to_string(kMaxElements) + " array elements";
    return nullptr;  // the reader fails the reply ("Out of memory")
  }
  self.elements_ += static_cast<std::size_t>(elements);
  return self.inner_->createArray(task, elements);
}

void* ReplyLimits::create_string(const redisReadTask* task, char* str, std::size_t len) {
  of(task).start_if_root(task);
  return of(task).inner_->createString(task, str, len);
}

void* ReplyLimits::create_integer(const redisReadTask* task, long long value) {
  of(task).start_if_root(task);
  return of(task).inner_->createInteger(task, value);
}

void* ReplyLimits::create_nil(const redisReadTask* task) {
  of(task).start_if_root(task);
  return of(task).inner_->createNil(task);
}

redisReply* ReplyLimits::command(redisContext* c, int argc, const char** argv, const std::size_t* lens) {
  if (redisAppendCommandArgv(c, argc, argv, lens) != REDIS_OK) return nullptr;
  void* reply = nullptr;
  if (get_reply(c, &reply) != REDIS_OK) return nullptr;
  return static_cast<redisReply*>(reply);
}

// hiredis 0.14's redisGetReply, with the byte bound between reads.
int ReplyLimits::get_reply(redisContext* c, void** reply) {
  refused_.clear();
  *reply = nullptr;
  if (redisGetReplyFromReader(c, reply) != REDIS_OK) return REDIS_ERR;
  if (*reply != nullptr) return REDIS_OK;
  int written = 0;
  do {
    if (redisBufferWrite(c, &written) != REDIS_OK) return REDIS_ERR;
  } while (written == 0);
  std::size_t read = 0;
  while (*reply == nullptr) {
    const std::size_t before = reader_->len;
    if (redisBufferRead(c) != REDIS_OK) return REDIS_ERR;
    read += reader_->len - before;  // the read only appends; trimming happens in the parse below
    if (read > kMaxBytes) {
      refused_ = "reply refused: more than " + std::to_string(kMaxBytes) + " bytes";
      return REDIS_ERR;
    }
    if (redisGetReplyFromReader(c, reply) != REDIS_OK) return REDIS_ERR;
  }
  return REDIS_OK;
}

}  // namespace qbot::server
