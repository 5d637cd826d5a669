// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
#include "common/mutation.h"

namespace cairn {

namespace {
constexpr uint8_t kMutationVersion = 1;
}

void Mutation::EncodeTo(std::string* dst) const {
  dst->push_back(static_cast<char>(kMutationVersion));
  PutLengthPrefixed(dst, keyspace);
  PutLengthPrefixed(dst, key);
  PutVarint32(dst, static_cast<uint32_t>(updates.size()));
  for (const Update& u : updates) {
    PutLengthPrefixed(dst, u.table_id);
    u.update.EncodeTo(dst);
  }
}

Status Mutation::Decode(std::string_view input, Mutation* out) {
  Decoder in(input);
  uint8_t version;
  std::string_view ks, key;
  uint32_t n;
  if (!in.GetByte(&version)) return Status::Corruption("empty mutation");
  if (version != kMutationVersion) {
    return Status::Corruption("unknown mutation version " + std::to_string(version));
  }
  if (!in.GetLengthPrefixed(&ks) || !in.GetLengthPrefixed(&key) || !in.GetVarint32(&n) ||
      n > in.remaining()) {
    return Status::Corruption("malformed mutation header");
  }
  out->keyspace.assign(ks);
  out->key.assign(key);
  out->updates.clear();
  out->updates.resize(n);
  for (Update& u : out->updates) {
    std::string_view id;
    if (!in.GetLengthPrefixed(&id)) return Status::Corruption("malformed mutation table id");
    u.table_id.assign(id);
    CAIRN_RETURN_IF_ERROR(PartitionUpdate::DecodeFrom(&in, &u.update));
  }
  if (!in.empty()) return Status::Corruption("trailing bytes after mutation");
  return Status::OK();
}

}  // namespace cairn
