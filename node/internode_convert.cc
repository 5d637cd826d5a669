// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.

#include "node/internode_convert.h"

#include "common/coding.h"

namespace cairn::node {

net::internode::CellFilter FilterToWire(const CellFilter& f) {
  net::internode::CellFilter w;
  switch (f.kind) {
    case CellFilter::Kind::kAll:
      w.kind = net::internode::FilterKind::ALL_CELLS;
      break;
    case CellFilter::Kind::kNames:
      w.kind = net::internode::FilterKind::NAMES;
      w.__set_names(f.names);
      break;
    case CellFilter::Kind::kSlice:
      w.kind = net::internode::FilterKind::SLICE;
      w.__set_start(f.start);
      w.__set_finish(f.finish);
      break;
  }
  return w;
}

Result<CellFilter> FilterFromWire(const net::internode::CellFilter& w) {
  switch (w.kind) {
    case net::internode::FilterKind::ALL_CELLS:
      return CellFilter::All();
    case net::internode::FilterKind::NAMES:
      return CellFilter::Names(w.names);
    case net::internode::FilterKind::SLICE:
      return CellFilter::Slice(w.start, w.finish);
  }
  return Status::InvalidArgument("unknown cell filter kind " + std::to_string(w.kind));
}

net::internode::RingPosition PositionToWire(const RingPosition& p) {
  net::internode::RingPosition w;
  w.kind = static_cast<net::internode::PositionKind::type>(static_cast<int>(p.kind));
  if (p.kind == RingPosition::Kind::kKey || p.kind == RingPosition::Kind::kTokenEnd) {
    w.__set_token(p.token.bytes);
  }
  if (p.kind == RingPosition::Kind::kKey) w.__set_key(p.key);
  return w;
}

Result<RingPosition> PositionFromWire(const net::internode::RingPosition& w) {
  RingPosition p;
  if (w.kind < 0 || w.kind > 3) {
    return Status::InvalidArgument("unknown ring position kind " + std::to_string(w.kind));
  }
  p.kind = static_cast<RingPosition::Kind>(w.kind);
  p.token.bytes = w.token;
  p.key = w.key;
  return p;
}

std::vector<net::internode::KeyBounds> BoundsToWire(const std::vector<KeyBounds>& bounds) {
  std::vector<net::internode::KeyBounds> out;
  for (const KeyBounds& b : bounds) {
    net::internode::KeyBounds w;
    w.start_position = PositionToWire(b.start);
    w.start_inclusive = b.start_inclusive;
    w.end_position = PositionToWire(b.end);
    out.push_back(std::move(w));
  }
  return out;
}

Result<std::vector<KeyBounds>> BoundsFromWire(const std::vector<net::internode::KeyBounds>& in) {
  std::vector<KeyBounds> out;
  for (const net::internode::KeyBounds& w : in) {
    KeyBounds b;
    CAIRN_ASSIGN_OR_RETURN(b.start, PositionFromWire(w.start_position));
    b.start_inclusive = w.start_inclusive;
    CAIRN_ASSIGN_OR_RETURN(b.end, PositionFromWire(w.end_position));
    out.push_back(std::move(b));
  }
  return out;
}

std::string EncodePartition(const PartitionUpdate& p) {
  std::string out;
  p.EncodeTo(&out);
  return out;
}

Result<PartitionUpdate> DecodePartition(std::string_view bytes) {
  Decoder in(bytes);
  PartitionUpdate p;
  CAIRN_RETURN_IF_ERROR(PartitionUpdate::DecodeFrom(&in, &p));
  return p;
}

int ComparePositions(const RingPosition& a, const RingPosition& b) {
  using K = RingPosition::Kind;
  auto rank = [](K k) { return k == K::kBeforeAll ? 0 : (k == K::kAfterAll ? 2 : 1); };
  if (rank(a.kind) != rank(b.kind)) return rank(a.kind) < rank(b.kind) ? -1 : 1;
  if (rank(a.kind) != 1) return 0;
  int c = a.token.bytes.compare(b.token.bytes);
  if (c != 0) return c < 0 ? -1 : 1;
  if (a.kind != b.kind) return a.kind == K::kKey ? -1 : 1;
  if (a.kind == K::kTokenEnd) return 0;
  c = a.key.compare(b.key);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::vector<KeyBounds> BoundsAfter(const std::vector<KeyBounds>& bounds, const DecoratedKey& last) {
  std::vector<KeyBounds> next;
  for (const KeyBounds& b : bounds) {
    if (b.EndsAtOrBefore(last)) continue;  // wholly before the cut
    KeyBounds nb = b;
    if (nb.start.CompareTo(last) <= 0) {   // holds the cut: resume after it
      nb.start = RingPosition::KeyAt(last);
      nb.start_inclusive = false;
    }
    next.push_back(std::move(nb));
  }
  return next;
}

}  // namespace cairn::node
