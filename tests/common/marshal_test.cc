// Copyright (c) 2026 The Cairn Authors. Licensed under the Apache License 2.0.
//
// Tests for the marshal types: name parsing, validation messages, and ordering tables
// that pin Cassandra's comparison rules (including its quirks) for every type.
#include "common/marshal.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "common/coding.h"
#include "tests/lib/test_util.h"

namespace cairn {
namespace {

using std::string_literals::operator""s;

TypePtr MustParse(std::string_view name) {
  Result<TypePtr> t = ParseType(name);
  EXPECT_TRUE(t.ok()) << name << ": " << t.status().ToString();
  return t.ok() ? t.value() : BytesTypeInstance();
}

std::string Uuid(std::string_view text) {
  Result<std::string> u = UuidFromString(text);
  EXPECT_TRUE(u.ok()) << text;
  return u.ok() ? u.value() : std::string();
}

// A version 1 UUID with the given 60-bit timestamp and clock-seq/node bytes.
std::string TimeUuid(uint64_t timestamp, uint64_t lsb) {
  uint64_t msb = ((timestamp & 0xFFFFFFFFULL) << 32) | (((timestamp >> 32) & 0xFFFF) << 16) |
                 0x1000 | ((timestamp >> 48) & 0x0FFF);
  return EncodeLong(static_cast<int64_t>(msb)) + EncodeLong(static_cast<int64_t>(lsb));
}

// Checks that `values` is strictly increasing under `type`, pairwise in both
// directions, that each value equals itself, and that each value is valid.
void ExpectStrictOrder(const AbstractType& type, const std::vector<std::string>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_OK(type.Validate(values[i]));
    EXPECT_EQ(type.Compare(values[i], values[i]), 0) << "index " << i;
    for (size_t j = i + 1; j < values.size(); ++j) {
      EXPECT_LT(type.Compare(values[i], values[j]), 0)
          << type.Name() << ": [" << i << "] " << type.ToString(values[i]) << " vs [" << j
          << "] " << type.ToString(values[j]);
      EXPECT_GT(type.Compare(values[j], values[i]), 0)
          << type.Name() << ": [" << j << "] vs [" << i << "]";
    }
  }
}

std::string ToHexForTest(std::string_view bytes) {
  return BytesTypeInstance()->ToString(bytes);
}

void ExpectInvalid(const AbstractType& type, std::string_view bytes, std::string_view message) {
  Status st = type.Validate(bytes);
  EXPECT_TRUE(st.IsInvalidArgument())
      << type.Name() << " " << ToHexForTest(bytes) << ": " << st.ToString();
  EXPECT_EQ(st.message(), message) << type.Name() << " " << ToHexForTest(bytes);
}

// ---------------------------------------------------------------------------------
// Names.

TEST(MarshalParseTest, ShortAndFullNamesGiveTheSameSingleton) {
  const char* kNames[] = {"BytesType",     "AsciiType",        "UTF8Type",     "LongType",
                          "Int32Type",     "IntegerType",      "UUIDType",     "TimeUUIDType",
                          "LexicalUUIDType", "BooleanType",    "DoubleType",   "FloatType",
                          "DateType",      "TimestampType",    "CounterColumnType"};
  for (const char* name : kNames) {
    std::string full = "org.apache.cassandra.db.marshal."s + name;
    TypePtr by_short = MustParse(name);
    TypePtr by_full = MustParse(full);
    EXPECT_EQ(by_short.get(), by_full.get()) << name;
    EXPECT_EQ(by_short->Name(), full);
    EXPECT_TRUE(by_short->SubTypes().empty());
    EXPECT_OK(by_short->Validate(""));
    EXPECT_EQ(by_short->ToString(""), "") << name;
  }
  EXPECT_EQ(MustParse("BytesType").get(), BytesTypeInstance().get());
}

TEST(MarshalParseTest, NestedTypesWithBlanks) {
  TypePtr t = MustParse(" CompositeType ( UTF8Type ,\tReversedType( LongType ) ,"
                        "org.apache.cassandra.db.marshal.TimeUUIDType )  ");
  EXPECT_EQ(t->Name(),
            "org.apache.cassandra.db.marshal.CompositeType("
            "org.apache.cassandra.db.marshal.UTF8Type,"
            "org.apache.cassandra.db.marshal.ReversedType(org.apache.cassandra.db.marshal.LongType),"
            "org.apache.cassandra.db.marshal.TimeUUIDType)");
  EXPECT_TRUE(t->IsComposite());
  ASSERT_EQ(t->SubTypes().size(), 3u);
  EXPECT_TRUE(t->SubTypes()[1]->IsReversed());
  ASSERT_EQ(t->SubTypes()[1]->SubTypes().size(), 1u);
  EXPECT_EQ(t->SubTypes()[1]->SubTypes()[0].get(), MustParse("LongType").get());

  // The fully-qualified name parses back to the same type.
  EXPECT_EQ(MustParse(t->Name())->Name(), t->Name());
  EXPECT_EQ(MustParse("org.apache.cassandra.db.marshal.ReversedType(UTF8Type)")->Name(),
            "org.apache.cassandra.db.marshal.ReversedType(org.apache.cassandra.db.marshal.UTF8Type)");
  EXPECT_EQ(MustParse("ReversedType(CompositeType(LongType))")->Name(),
            "org.apache.cassandra.db.marshal.ReversedType("
            "org.apache.cassandra.db.marshal.CompositeType(org.apache.cassandra.db.marshal.LongType))");
}

TEST(MarshalParseTest, UnknownNamesAreInvalidArgument) {
  Result<TypePtr> t = ParseType("NoSuchType");
  ASSERT_FALSE(t.ok());
  EXPECT_TRUE(t.status().IsInvalidArgument());
  EXPECT_EQ(t.status().message(),
            "Unable to find abstract-type class 'org.apache.cassandra.db.marshal.NoSuchType'");
  t = ParseType("com.example.MyType");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(), "Unable to find abstract-type class 'com.example.MyType'");
  // Names are Java class names: case matters, and the package must be exact.
  EXPECT_TRUE(ParseType("longtype").status().IsInvalidArgument());
  EXPECT_TRUE(ParseType("org.apache.cassandra.LongType").status().IsInvalidArgument());
  EXPECT_TRUE(ParseType("CompositeType(UTF8Type,Nope)").status().IsInvalidArgument());
  // Types Cassandra has but Cairn does not support are unknown too.
  EXPECT_TRUE(ParseType("DynamicCompositeType").status().IsInvalidArgument());
}

TEST(MarshalParseTest, MalformedNamesAreInvalidArgument) {
  const char* kBad[] = {
      "",
      "   ",
      "LongType(UTF8Type)",             // parameters on a simple type
      "LongType()",                     //
      "CompositeType",                  // no components
      "CompositeType()",                //
      "ReversedType",                   // not exactly one parameter
      "ReversedType(LongType,UTF8Type)",
      "CompositeType(UTF8Type",         // syntax
      "CompositeType(UTF8Type,)",
      "CompositeType(,UTF8Type)",
      "CompositeType(UTF8Type))",
      "LongType UTF8Type",
      "Long Type",
      "(LongType)",
      "LongType;",
  };
  for (const char* name : kBad) {
    Result<TypePtr> t = ParseType(name);
    EXPECT_FALSE(t.ok()) << "'" << name << "' parsed as " << (t.ok() ? t.value()->Name() : "");
    if (!t.ok()) {
      EXPECT_TRUE(t.status().IsInvalidArgument()) << name;
    }
  }
  Result<TypePtr> t = ParseType("CompositeType(UTF8Type");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("Syntax error parsing 'CompositeType(UTF8Type'"),
            std::string::npos)
      << t.status().message();
}

TEST(MarshalParseTest, DeepNestingIsRejectedNotCrashing) {
  std::string name;
  for (int i = 0; i < 10000; ++i) name += "ReversedType(";
  name += "LongType";
  name.append(10000, ')');
  EXPECT_TRUE(ParseType(name).status().IsInvalidArgument());

  // Modest nesting is fine.
  std::string ok = "ReversedType(ReversedType(ReversedType(LongType)))";
  TypePtr t = MustParse(ok);
  // Reversing twice restores the order (empty still first).
  EXPECT_LT(MustParse("ReversedType(ReversedType(LongType))")->Compare(EncodeLong(1), EncodeLong(2)),
            0);
  EXPECT_GT(t->Compare(EncodeLong(1), EncodeLong(2)), 0);
}

TEST(MarshalParseTest, Flags) {
  for (const char* name : {"BytesType", "AsciiType", "UTF8Type", "DateType"}) {
    EXPECT_TRUE(MustParse(name)->IsByteOrder()) << name;
  }
  for (const char* name : {"LongType", "Int32Type", "IntegerType", "UUIDType", "TimeUUIDType",
                           "LexicalUUIDType", "BooleanType", "DoubleType", "FloatType",
                           "TimestampType", "CounterColumnType", "CompositeType(BytesType)",
                           "ReversedType(BytesType)"}) {
    EXPECT_FALSE(MustParse(name)->IsByteOrder()) << name;
  }
  EXPECT_TRUE(MustParse("CounterColumnType")->IsCounter());
  EXPECT_FALSE(MustParse("LongType")->IsCounter());
  EXPECT_TRUE(MustParse("ReversedType(UTF8Type)")->IsReversed());
  EXPECT_FALSE(MustParse("UTF8Type")->IsReversed());
  EXPECT_FALSE(MustParse("CompositeType(ReversedType(UTF8Type))")->IsReversed());
  EXPECT_TRUE(MustParse("CompositeType(UTF8Type)")->IsComposite());
  EXPECT_FALSE(MustParse("ReversedType(CompositeType(UTF8Type))")->IsComposite());
}

// ---------------------------------------------------------------------------------
// Byte-ordered types.

TEST(MarshalBytesTest, UnsignedByteOrder) {
  TypePtr t = MustParse("BytesType");
  ExpectStrictOrder(*t, {""s, "\x00"s, "\x00\x00"s, "\x00\x01"s, "\x01"s, "\x7f"s, "\x80"s,
                         "\x80\x00"s, "\xff"s, "\xff\xff"s});
  EXPECT_EQ(t->ToString("\x00\xab\xff"s), "00abff");
}

TEST(MarshalAsciiTest, ValidatesSevenBitBytes) {
  TypePtr t = MustParse("AsciiType");
  EXPECT_OK(t->Validate("hello, world\x7f\x01"s));
  EXPECT_OK(t->Validate("\x00"s));
  // Java prints the offending byte signed.
  ExpectInvalid(*t, "abc\x80"s, "Invalid byte for ascii: -128");
  ExpectInvalid(*t, "\xff"s, "Invalid byte for ascii: -1");
  ExpectInvalid(*t, "caf\xc3\xa9"s, "Invalid byte for ascii: -61");
  ExpectStrictOrder(*t, {""s, "A"s, "AB"s, "B"s, "a"s, "b"s});
  EXPECT_EQ(t->ToString("abc"), "abc");
}

TEST(MarshalUtf8Test, AcceptsWhatCassandraAccepts) {
  TypePtr t = MustParse("UTF8Type");
  for (const std::string& ok : {"plain"s, "caf\xc3\xa9"s, "\xe2\x82\xac"s /* € */,
                                "\xf0\x9f\x98\x80"s /* 😀 */, "\xef\xbf\xbf"s,
                                "\xf4\x8f\xbf\xbf"s /* U+10FFFF */, "\x00"s,
                                // Cassandra's validator quirks, kept for compatibility:
                                "\xc0\x80"s /* modified UTF-8 NUL */,
                                "\xed\xa0\x80"s /* an encoded surrogate */}) {
    Status st = t->Validate(ok);
    EXPECT_TRUE(st.ok()) << ToHexForTest(ok) << ": " << st.ToString();
  }
  for (const std::string& bad :
       {"\xff"s, "\xfe"s, "\x80"s /* stray continuation */, "ab\xbf"s, "\xc3\x28"s,
        "\xc3"s /* truncated */, "\xe2\x82"s, "\xf0\x9f\x98"s, "\xc1\xbf"s /* overlong */,
        "\xc0\x81"s, "\xe0\x80\x80"s /* overlong */, "\xe0\x9f\xbf"s,
        "\xf0\x80\x80\x80"s /* overlong */, "\xf0\x8f\xbf\xbf"s, "\xf8\x88\x80\x80\x80"s,
        "ok\xe2\x28\xa1"s}) {
    ExpectInvalid(*t, bad, "String didn't validate.");
  }
  // Byte order equals code point order for UTF-8.
  ExpectStrictOrder(*t, {""s, "A"s, "Z"s, "a"s, "z"s, "\xc3\xa9"s, "\xe2\x82\xac"s,
                         "\xf0\x9f\x98\x80"s});
  EXPECT_EQ(t->ToString("caf\xc3\xa9"s), "caf\xc3\xa9"s);
}

// ---------------------------------------------------------------------------------
// Numbers.

TEST(MarshalLongTest, SignedOrderAndValidation) {
  TypePtr t = MustParse("LongType");
  ExpectStrictOrder(*t, {""s, EncodeLong(std::numeric_limits<int64_t>::min()),
                         EncodeLong(-256), EncodeLong(-1), EncodeLong(0), EncodeLong(1),
                         EncodeLong(255), EncodeLong(256),
                         EncodeLong(std::numeric_limits<int64_t>::max())});
  ExpectInvalid(*t, "1234567"s, "Expected 8 or 0 byte long (7)");
  ExpectInvalid(*t, "123456789"s, "Expected 8 or 0 byte long (9)");
  ExpectInvalid(*t, "\x01"s, "Expected 8 or 0 byte long (1)");
  EXPECT_EQ(t->ToString(EncodeLong(-42)), "-42");
  EXPECT_EQ(t->ToString(EncodeLong(std::numeric_limits<int64_t>::min())),
            "-9223372036854775808");
  EXPECT_EQ(t->ToString("\x01\x02"s), "0102");  // malformed: hex, not a crash
  EXPECT_EQ(EncodeLong(1), "\0\0\0\0\0\0\0\x01"s);
}

TEST(MarshalLongTest, CounterColumnTypeValidatesAsLong) {
  TypePtr t = MustParse("CounterColumnType");
  EXPECT_OK(t->Validate(EncodeLong(5)));
  ExpectInvalid(*t, "\x00\x01\x02"s, "Expected 8 or 0 byte long (3)");
  ExpectStrictOrder(*t, {""s, EncodeLong(-5), EncodeLong(0), EncodeLong(7)});
  EXPECT_EQ(t->ToString(EncodeLong(-5)), "-5");
}

TEST(MarshalInt32Test, SignedOrderAndValidation) {
  TypePtr t = MustParse("Int32Type");
  ExpectStrictOrder(*t, {""s, EncodeInt32(std::numeric_limits<int32_t>::min()),
                         EncodeInt32(-65536), EncodeInt32(-1), EncodeInt32(0), EncodeInt32(1),
                         EncodeInt32(128), EncodeInt32(std::numeric_limits<int32_t>::max())});
  ExpectInvalid(*t, "abc"s, "Expected 4 or 0 byte int (3)");
  ExpectInvalid(*t, EncodeLong(1), "Expected 4 or 0 byte int (8)");
  EXPECT_EQ(t->ToString(EncodeInt32(-7)), "-7");
  EXPECT_EQ(EncodeInt32(0x01020304), "\x01\x02\x03\x04"s);
}

TEST(MarshalIntegerTest, EncodeVarintIsMinimalTwosComplement) {
  EXPECT_EQ(EncodeVarint(0), "\x00"s);
  EXPECT_EQ(EncodeVarint(1), "\x01"s);
  EXPECT_EQ(EncodeVarint(127), "\x7f"s);
  EXPECT_EQ(EncodeVarint(128), "\x00\x80"s);
  EXPECT_EQ(EncodeVarint(255), "\x00\xff"s);
  EXPECT_EQ(EncodeVarint(256), "\x01\x00"s);
  EXPECT_EQ(EncodeVarint(-1), "\xff"s);
  EXPECT_EQ(EncodeVarint(-128), "\x80"s);
  EXPECT_EQ(EncodeVarint(-129), "\xff\x7f"s);
  EXPECT_EQ(EncodeVarint(std::numeric_limits<int64_t>::min()), "\x80\0\0\0\0\0\0\0"s);
}

TEST(MarshalIntegerTest, NumericOrderAcrossLengths) {
  TypePtr t = MustParse("IntegerType");
  const std::string kMinus2Pow70 = "\xc0\x00\x00\x00\x00\x00\x00\x00\x00"s;
  const std::string kMinus2Pow64 = "\xff\x00\x00\x00\x00\x00\x00\x00\x00"s;
  const std::string kMinus2Pow63Minus1 = "\xff\x7f\xff\xff\xff\xff\xff\xff\xff"s;
  const std::string k2Pow64 = "\x01\x00\x00\x00\x00\x00\x00\x00\x00"s;
  const std::string k2Pow70 = "\x40\x00\x00\x00\x00\x00\x00\x00\x00"s;
  ExpectStrictOrder(*t, {""s, kMinus2Pow70, kMinus2Pow64, kMinus2Pow63Minus1,
                         EncodeVarint(std::numeric_limits<int64_t>::min()), EncodeVarint(-65536),
                         EncodeVarint(-129), EncodeVarint(-128), EncodeVarint(-2),
                         EncodeVarint(-1), EncodeVarint(0), EncodeVarint(1), EncodeVarint(127),
                         EncodeVarint(128), EncodeVarint(255), EncodeVarint(256),
                         EncodeVarint(std::numeric_limits<int64_t>::max()), k2Pow64, k2Pow70});
  // Redundant sign bytes do not change the value.
  EXPECT_EQ(t->Compare("\xff"s, "\xff\xff\xff"s), 0);
  EXPECT_EQ(t->Compare("\x00"s, "\x00\x00"s), 0);
  EXPECT_EQ(t->Compare("\x00\x80"s, "\x00\x00\x80"s), 0);
  EXPECT_LT(t->Compare("\xff\x7f"s, "\x80"s), 0);   // -129 < -128
  EXPECT_LT(t->Compare("\xff\xff\x7f"s, "\x80"s), 0);
  EXPECT_GT(t->Compare("\x00\x80"s, "\x7f"s), 0);   // 128 > 127
  // Every byte string is a valid varint.
  EXPECT_OK(t->Validate("\xff\x00\xab\xcd\xef"s));
}

TEST(MarshalIntegerTest, ToStringInDecimal) {
  TypePtr t = MustParse("IntegerType");
  EXPECT_EQ(t->ToString(EncodeVarint(0)), "0");
  EXPECT_EQ(t->ToString("\x00\x00"s), "0");
  EXPECT_EQ(t->ToString(EncodeVarint(-1)), "-1");
  EXPECT_EQ(t->ToString(EncodeVarint(-128)), "-128");
  EXPECT_EQ(t->ToString(EncodeVarint(128)), "128");
  EXPECT_EQ(t->ToString(EncodeVarint(1000000000)), "1000000000");
  EXPECT_EQ(t->ToString(EncodeVarint(std::numeric_limits<int64_t>::min())),
            "-9223372036854775808");
  EXPECT_EQ(t->ToString("\x01\x00\x00\x00\x00\x00\x00\x00\x00"s), "18446744073709551616");
  EXPECT_EQ(t->ToString("\xff\x00\x00\x00\x00\x00\x00\x00\x00"s), "-18446744073709551616");
  EXPECT_EQ(t->ToString("\xc0\x00\x00\x00\x00\x00\x00\x00\x00"s), "-1180591620717411303424");
}

// Reference check: random two's complement values of 1..16 bytes, compared against
// __int128 arithmetic.
TEST(MarshalIntegerTest, MatchesInt128Reference) {
  TypePtr t = MustParse("IntegerType");
  std::mt19937_64 rng(42);
  auto random_value = [&](__int128* v) {
    size_t len = 1 + rng() % 16;
    std::string bytes;
    for (size_t i = 0; i < len; ++i) {
      // Bias towards sign-extension bytes to exercise the stripping.
      uint64_t r = rng() % 4;
      bytes.push_back(static_cast<char>(r == 0 ? 0x00 : r == 1 ? 0xff : rng()));
    }
    __int128 value = (static_cast<unsigned char>(bytes[0]) & 0x80) ? -1 : 0;
    for (unsigned char c : bytes) {
      value = static_cast<__int128>((static_cast<unsigned __int128>(value) << 8) | c);
    }
    *v = value;
    return bytes;
  };
  for (int i = 0; i < 20000; ++i) {
    __int128 va, vb;
    std::string a = random_value(&va), b = random_value(&vb);
    int expected = va < vb ? -1 : (va > vb ? 1 : 0);
    int got = t->Compare(a, b);
    ASSERT_EQ((got > 0) - (got < 0), expected)
        << t->ToString(a) << " vs " << t->ToString(b);
  }
}

TEST(MarshalDoubleTest, JavaDoubleCompareOrder) {
  TypePtr t = MustParse("DoubleType");
  const double kInf = std::numeric_limits<double>::infinity();
  const double kDenorm = std::numeric_limits<double>::denorm_min();
  ExpectStrictOrder(*t, {""s, EncodeDouble(-kInf), EncodeDouble(-1e300), EncodeDouble(-1.0),
                         EncodeDouble(-kDenorm), EncodeDouble(-0.0), EncodeDouble(0.0),
                         EncodeDouble(kDenorm), EncodeDouble(1.0), EncodeDouble(1.5),
                         EncodeDouble(1e300), EncodeDouble(kInf),
                         EncodeDouble(std::numeric_limits<double>::quiet_NaN())});
  // Every NaN equals every other NaN, whatever its payload or sign.
  std::string other_nan = "\xff\xf0\x00\x00\x00\x00\x00\x01"s;
  ASSERT_TRUE(std::isnan(std::bit_cast<double>(DecodeBigEndian64(other_nan.data()))));
  EXPECT_EQ(t->Compare(EncodeDouble(std::nan("")), other_nan), 0);
  EXPECT_GT(t->Compare(other_nan, EncodeDouble(kInf)), 0);

  ExpectInvalid(*t, "\x00\x00\x00\x00"s, "Expected 8 or 0 byte value for a double (4)");
  ExpectInvalid(*t, std::string(9, 'x'), "Expected 8 or 0 byte value for a double (9)");
}

TEST(MarshalDoubleTest, ToStringLikeJava) {
  TypePtr t = MustParse("DoubleType");
  auto s = [&](double d) { return t->ToString(EncodeDouble(d)); };
  EXPECT_EQ(s(1.0), "1.0");
  EXPECT_EQ(s(-1.5), "-1.5");
  EXPECT_EQ(s(100.0), "100.0");
  EXPECT_EQ(s(123456.789), "123456.789");
  EXPECT_EQ(s(9999999.0), "9999999.0");
  EXPECT_EQ(s(1e7), "1.0E7");
  EXPECT_EQ(s(12345678.9), "1.23456789E7");
  EXPECT_EQ(s(0.001), "0.001");
  EXPECT_EQ(s(0.0001), "1.0E-4");
  EXPECT_EQ(s(-2.5e-10), "-2.5E-10");
  EXPECT_EQ(s(1.5e300), "1.5E300");
  EXPECT_EQ(s(0.1), "0.1");
  EXPECT_EQ(s(0.0), "0.0");
  EXPECT_EQ(s(-0.0), "-0.0");
  EXPECT_EQ(s(std::numeric_limits<double>::infinity()), "Infinity");
  EXPECT_EQ(s(-std::numeric_limits<double>::infinity()), "-Infinity");
  EXPECT_EQ(s(std::nan("")), "NaN");
}

TEST(MarshalFloatTest, JavaFloatCompareOrder) {
  TypePtr t = MustParse("FloatType");
  const float kInf = std::numeric_limits<float>::infinity();
  ExpectStrictOrder(*t, {""s, EncodeFloat(-kInf), EncodeFloat(-3.5f), EncodeFloat(-0.0f),
                         EncodeFloat(0.0f), EncodeFloat(1e-40f), EncodeFloat(1.0f),
                         EncodeFloat(3.4e38f), EncodeFloat(kInf),
                         EncodeFloat(std::numeric_limits<float>::quiet_NaN())});
  EXPECT_EQ(t->Compare(EncodeFloat(std::nanf("1")), "\x7f\xc0\x00\x00"s), 0);
  ExpectInvalid(*t, EncodeDouble(1.0), "Expected 4 or 0 byte value for a float (8)");
  ExpectInvalid(*t, "\x01"s, "Expected 4 or 0 byte value for a float (1)");
  EXPECT_EQ(t->ToString(EncodeFloat(1.1f)), "1.1");
  EXPECT_EQ(t->ToString(EncodeFloat(-0.0f)), "-0.0");
  EXPECT_EQ(t->ToString(EncodeFloat(3.4028235e38f)), "3.4028235E38");
  EXPECT_EQ(t->ToString(EncodeFloat(0.5f)), "0.5");
}

TEST(MarshalBooleanTest, FalseBeforeTrue) {
  TypePtr t = MustParse("BooleanType");
  ExpectStrictOrder(*t, {""s, EncodeBoolean(false), EncodeBoolean(true)});
  // Any non-zero byte is true, and all trues are equal.
  EXPECT_EQ(t->Compare("\x02"s, EncodeBoolean(true)), 0);
  EXPECT_EQ(t->Compare("\xff"s, EncodeBoolean(true)), 0);
  EXPECT_LT(t->Compare(EncodeBoolean(false), "\xff"s), 0);
  ExpectInvalid(*t, "\x00\x01"s, "Expected 1 or 0 byte value (2)");
  EXPECT_EQ(t->ToString(EncodeBoolean(true)), "true");
  EXPECT_EQ(t->ToString(EncodeBoolean(false)), "false");
}

TEST(MarshalDateTest, DateTypeIsUnsignedButTimestampTypeIsSigned) {
  TypePtr date = MustParse("DateType");
  TypePtr ts = MustParse("TimestampType");
  // DateType's historical bug, kept by Cassandra: pre-epoch dates sort last.
  ExpectStrictOrder(*date, {""s, EncodeLong(0), EncodeLong(1000), EncodeLong(1325376000000),
                            EncodeLong(std::numeric_limits<int64_t>::max()),
                            EncodeLong(std::numeric_limits<int64_t>::min()), EncodeLong(-1000),
                            EncodeLong(-1)});
  ExpectStrictOrder(*ts, {""s, EncodeLong(std::numeric_limits<int64_t>::min()),
                          EncodeLong(-1000), EncodeLong(-1), EncodeLong(0), EncodeLong(1000),
                          EncodeLong(1325376000000),
                          EncodeLong(std::numeric_limits<int64_t>::max())});
  for (const TypePtr& t : {date, ts}) {
    ExpectInvalid(*t, "\x00\x00\x00\x01"s, "Expected 8 or 0 byte long for date (4)");
    EXPECT_EQ(t->ToString(EncodeLong(0)), "1970-01-01 00:00:00.000Z");
    EXPECT_EQ(t->ToString(EncodeLong(1325376000123)), "2012-01-01 00:00:00.123Z");
    EXPECT_EQ(t->ToString(EncodeLong(951782400000 + 3723004)), "2000-02-29 01:02:03.004Z");
    EXPECT_EQ(t->ToString(EncodeLong(-1)), "1969-12-31 23:59:59.999Z");
    EXPECT_EQ(t->ToString(EncodeLong(-62135596800000)), "0001-01-01 00:00:00.000Z");
  }
  // Extreme values render without overflow.
  EXPECT_FALSE(ts->ToString(EncodeLong(std::numeric_limits<int64_t>::min())).empty());
  EXPECT_FALSE(ts->ToString(EncodeLong(std::numeric_limits<int64_t>::max())).empty());
}

// ---------------------------------------------------------------------------------
// UUIDs.

TEST(MarshalUuidTest, TextRoundTrip) {
  std::string u = Uuid("550e8400-E29B-41d4-a716-446655440000");
  EXPECT_EQ(u, "\x55\x0e\x84\x00\xe2\x9b\x41\xd4\xa7\x16\x44\x66\x55\x44\x00\x00"s);
  for (const char* name : {"UUIDType", "TimeUUIDType", "LexicalUUIDType"}) {
    EXPECT_EQ(MustParse(name)->ToString(Uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8")),
              "6ba7b810-9dad-11d1-80b4-00c04fd430c8");
  }
  for (const char* bad : {"", "550e8400e29b41d4a716446655440000",
                          "550e8400-e29b-41d4-a716-44665544000", "550e8400-e29b-41d4-a716-44665544000g",
                          "550e8400-e29b-41d4-a716_446655440000"}) {
    EXPECT_TRUE(UuidFromString(bad).status().IsInvalidArgument()) << bad;
  }
}

TEST(MarshalUuidTest, ValidationMessages) {
  for (const char* name : {"UUIDType", "TimeUUIDType", "LexicalUUIDType"}) {
    TypePtr t = MustParse(name);
    ExpectInvalid(*t, "abc"s, "UUID should be 16 or 0 bytes (3)");
    ExpectInvalid(*t, std::string(17, '\0'), "UUID should be 16 or 0 bytes (17)");
    EXPECT_OK(t->Validate(TimeUuid(1, 2)));
  }
  TypePtr uuid = MustParse("UUIDType");
  TypePtr time = MustParse("TimeUUIDType");
  std::string v4 = Uuid("550e8400-e29b-41d4-a716-446655440000");
  EXPECT_OK(uuid->Validate(v4));
  EXPECT_OK(MustParse("LexicalUUIDType")->Validate(v4));
  ExpectInvalid(*time, v4, "Invalid version for TimeUUID type.");
  ExpectInvalid(*time, std::string(16, '\0'), "Invalid version for TimeUUID type.");
  // The length check comes first.
  ExpectInvalid(*time, std::string(15, '\0'), "UUID should be 16 or 0 bytes (15)");
}

TEST(MarshalUuidTest, UUIDTypeOrdersByVersionThenTimeThenUnsignedBytes) {
  TypePtr t = MustParse("UUIDType");
  // Timestamps whose field layout disagrees with byte order: 2^32 keeps time_low 0
  // and time_mid 1, so its bytes start 00000000 although it is later than 2^32-1.
  ExpectStrictOrder(*t, {
      ""s,
      // version 1, by timestamp, then unsigned lsb
      TimeUuid(0, 0), TimeUuid(0, 0x7fffffffffffffffULL), TimeUuid(0, 0x8000000000000000ULL),
      TimeUuid(0xFFFFFFFFULL, 0), TimeUuid(0x100000000ULL, 0), TimeUuid(0xFFFFFFFFFFFFULL, 0),
      TimeUuid(0x0FFFFFFFFFFFFFFFULL, 0),
      // version 2 after every version 1, whatever the bytes
      Uuid("00000000-0000-2000-0000-000000000000"),
      // versions 3 and 4: unsigned msb, then unsigned lsb
      Uuid("00000000-0000-3000-8000-000000000000"),
      Uuid("ffffffff-ffff-3fff-0000-000000000000"),
      Uuid("00000000-0000-4000-0000-000000000000"),
      Uuid("00000000-0000-4000-7fff-ffffffffffff"),
      Uuid("00000000-0000-4000-8000-000000000000"),
      Uuid("00000000-0001-4000-0000-000000000000"),
      Uuid("7fffffff-ffff-4fff-ffff-ffffffffffff"),
      Uuid("80000000-0000-4000-0000-000000000000"),
      Uuid("00000000-0000-5000-0000-000000000000"),
  });
  // Version 0 (the nil UUID) sorts before version 1.
  EXPECT_LT(t->Compare(std::string(16, '\0'), TimeUuid(0, 0)), 0);
}

TEST(MarshalUuidTest, TimeUUIDTypeBreaksTiesWithSignedBytes) {
  TypePtr t = MustParse("TimeUUIDType");
  ExpectStrictOrder(*t, {
      ""s,
      // Same timestamp: the lsb bytes compare signed, 0x80 < 0xff < 0x00 < 0x7f.
      TimeUuid(5, 0x8000000000000000ULL), TimeUuid(5, 0xff00000000000000ULL),
      TimeUuid(5, 0x0080000000000000ULL), TimeUuid(5, 0x00ff000000000000ULL),
      TimeUuid(5, 0), TimeUuid(5, 0x7f00000000000000ULL),
      TimeUuid(0xFFFFFFFFULL, 0x8000000000000000ULL), TimeUuid(0x100000000ULL, 0),
      TimeUuid(0x0FFF000000000000ULL, 0), TimeUuid(0x0FFFFFFFFFFFFFFFULL, 0),
  });
  // ...where UUIDType compares the same two values unsigned.
  EXPECT_LT(MustParse("UUIDType")->Compare(TimeUuid(5, 0), TimeUuid(5, 0x8000000000000000ULL)),
            0);
  EXPECT_GT(t->Compare(TimeUuid(5, 0), TimeUuid(5, 0x8000000000000000ULL)), 0);
}

// Reference check against an independent formulation: the 60-bit timestamp, then
// the lsb as signed bytes.
TEST(MarshalUuidTest, TimeUUIDTypeMatchesTimestampReference) {
  TypePtr t = MustParse("TimeUUIDType");
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    uint64_t ta = rng() & 0x0FFFFFFFFFFFFFFFULL, tb = (rng() % 4 == 0) ? ta : rng() & 0x0FFFFFFFFFFFFFFFULL;
    uint64_t la = rng(), lb = (rng() % 2 == 0) ? la ^ (0x80ULL << (8 * (rng() % 8))) : rng();
    int expected = ta < tb ? -1 : ta > tb ? 1 : 0;
    if (expected == 0) {
      for (int byte = 7; byte >= 0 && expected == 0; --byte) {
        auto sa = static_cast<int8_t>(la >> (8 * byte)), sb = static_cast<int8_t>(lb >> (8 * byte));
        expected = sa < sb ? -1 : sa > sb ? 1 : 0;
      }
    }
    int got = t->Compare(TimeUuid(ta, la), TimeUuid(tb, lb));
    ASSERT_EQ((got > 0) - (got < 0), expected) << i;
  }
}

TEST(MarshalUuidTest, LexicalUUIDTypeIsJavaUuidCompareTo) {
  TypePtr t = MustParse("LexicalUUIDType");
  // Signed msb, then signed lsb; the version plays no part.
  ExpectStrictOrder(*t, {
      ""s,
      Uuid("80000000-0000-4000-0000-000000000000"),
      Uuid("ffffffff-ffff-1fff-ffff-ffffffffffff"),
      Uuid("00000000-0000-4000-8000-000000000000"),
      Uuid("00000000-0000-4000-ffff-ffffffffffff"),
      Uuid("00000000-0000-4000-0000-000000000000"),
      Uuid("00000000-0000-4000-7fff-ffffffffffff"),
      Uuid("00000000-0000-5000-0000-000000000000"),
      Uuid("00000000-0001-1000-0000-000000000000"),
      Uuid("7fffffff-ffff-ffff-ffff-ffffffffffff"),
  });
}

// ---------------------------------------------------------------------------------
// ReversedType.

TEST(MarshalReversedTest, InvertsOrderButKeepsEmptyFirst) {
  TypePtr t = MustParse("ReversedType(LongType)");
  EXPECT_EQ(t->Name(),
            "org.apache.cassandra.db.marshal.ReversedType(org.apache.cassandra.db.marshal.LongType)");
  ExpectStrictOrder(*t, {""s, EncodeLong(std::numeric_limits<int64_t>::max()), EncodeLong(10),
                         EncodeLong(5), EncodeLong(0), EncodeLong(-5),
                         EncodeLong(std::numeric_limits<int64_t>::min())});
  ExpectInvalid(*t, "1234567"s, "Expected 8 or 0 byte long (7)");
  EXPECT_EQ(t->ToString(EncodeLong(-3)), "-3");

  TypePtr text = MustParse("ReversedType(UTF8Type)");
  ExpectStrictOrder(*text, {""s, "b"s, "ab"s, "a"s});
  ExpectInvalid(*text, "\xff"s, "String didn't validate.");
}

TEST(MarshalReversedTest, OrdersAStdSetThroughTypeLess) {
  TypePtr t = MustParse("ReversedType(Int32Type)");
  std::set<std::string, TypeLess> set(TypeLess{t.get()});
  for (int v : {3, -1, 7, 0}) set.insert(EncodeInt32(v));
  set.insert("");
  std::vector<std::string> got(set.begin(), set.end());
  EXPECT_EQ(got, (std::vector<std::string>{""s, EncodeInt32(7), EncodeInt32(3), EncodeInt32(0),
                                           EncodeInt32(-1)}));
}

// ---------------------------------------------------------------------------------
// CompositeType.

TEST(MarshalCompositeTest, BuildAndSplit) {
  std::string c = MakeComposite({"ab", EncodeLong(1)});
  EXPECT_EQ(c, "\x00\x02" "ab" "\x00" "\x00\x08" "\0\0\0\0\0\0\0\x01" "\x00"s);
  EXPECT_EQ(MakeComposite({"a"}, 1), "\x00\x01" "a" "\x01"s);
  EXPECT_EQ(MakeComposite({"a"}, -1), "\x00\x01" "a" "\xff"s);
  EXPECT_EQ(MakeComposite(std::vector<std::string>{"x", ""}, 1), "\x00\x01x\x00\x00\x00\x01"s);
  EXPECT_EQ(MakeComposite({}), "");

  int eoc = 7;
  Result<std::vector<std::string>> parts = SplitComposite(c, &eoc);
  ASSERT_OK(parts.status());
  EXPECT_EQ(parts.value(), (std::vector<std::string>{"ab", EncodeLong(1)}));
  EXPECT_EQ(eoc, 0);
  parts = SplitComposite(MakeComposite({"a", "b"}, -1), &eoc);
  ASSERT_OK(parts.status());
  EXPECT_EQ(parts->size(), 2u);
  EXPECT_EQ(eoc, -1);
  parts = SplitComposite("", &eoc);
  ASSERT_OK(parts.status());
  EXPECT_TRUE(parts->empty());
  EXPECT_EQ(eoc, 0);

  EXPECT_TRUE(SplitComposite("\x00"s).status().IsInvalidArgument());
  EXPECT_TRUE(SplitComposite("\x00\x03" "ab"s).status().IsInvalidArgument());
  EXPECT_TRUE(SplitComposite(MakeComposite({"a"}, 1) + MakeComposite({"b"})).status()
                  .IsInvalidArgument());
}

TEST(MarshalCompositeTest, OrderWithEndOfComponentBytesAndReversedComponent) {
  TypePtr t = MustParse("CompositeType(UTF8Type, ReversedType(LongType))");
  auto a = [](std::vector<std::string> parts, int eoc = 0) { return MakeComposite(parts, eoc); };
  ExpectStrictOrder(*t, {
      ""s,
      a({"a"}, -1),                        // slice start excluding "a" itself
      a({"a"}),                            // the prefix "a"
      a({"a", ""}),                        // an empty reversed component is still first
      a({"a", EncodeLong(10)}, -1),
      a({"a", EncodeLong(10)}),
      a({"a", EncodeLong(10)}, 1),
      a({"a", EncodeLong(5)}),             // reversed: 10 before 5
      a({"a", EncodeLong(-1)}),
      a({"a"}, 1),                         // slice end covering every "a" name
      a({"aa"}),
      a({"b"}, -1),
      a({"b"}),
      a({"b", EncodeLong(7)}),
      a({"\xc3\xa9"}),
  });
}

TEST(MarshalCompositeTest, ComponentsUseTheirOwnTypes) {
  TypePtr t = MustParse("CompositeType(IntegerType,TimeUUIDType,BytesType)");
  auto c = [](std::string x, std::string y, std::string z) { return MakeComposite({x, y, z}); };
  ExpectStrictOrder(*t, {
      c(EncodeVarint(-300), TimeUuid(9, 0), "z"),
      c(EncodeVarint(-1), TimeUuid(9, 0), "z"),
      c(EncodeVarint(2), TimeUuid(0xFFFFFFFFULL, 0), "z"),
      c(EncodeVarint(2), TimeUuid(0x100000000ULL, 0), ""),
      c(EncodeVarint(2), TimeUuid(0x100000000ULL, 0), "\x00"s),
      c(EncodeVarint(2), TimeUuid(0x100000000ULL, 0), "\xff"s),
      c(EncodeVarint(300), TimeUuid(1, 0), ""),
  });
  // Numerically equal varints make equal components.
  EXPECT_EQ(t->Compare(MakeComposite({"\x00\x05"s}), MakeComposite({"\x05"s})), 0);
}

TEST(MarshalCompositeTest, ValidationMessages) {
  TypePtr t = MustParse("CompositeType(UTF8Type,LongType)");
  EXPECT_OK(t->Validate(""));
  EXPECT_OK(t->Validate(MakeComposite({"a"})));
  EXPECT_OK(t->Validate(MakeComposite({"a", EncodeLong(3)})));
  EXPECT_OK(t->Validate(MakeComposite({"", ""})));
  EXPECT_OK(t->Validate(MakeComposite({"a"}, 1)));
  EXPECT_OK(t->Validate(MakeComposite({"a", EncodeLong(3)}, -1)));

  ExpectInvalid(*t, "\x00"s, "Not enough bytes to read value size of component 0");
  ExpectInvalid(*t, "\x00\x05" "ab"s, "Not enough bytes to read value of component 0");
  ExpectInvalid(*t, "\x00\x02" "ab"s,
                "Not enough bytes to read the end-of-component byte of component 0");
  ExpectInvalid(*t, MakeComposite({"a"}, 1) + MakeComposite({EncodeLong(1)}),
                "Invalid bytes remaining after an end-of-component at component 0");
  ExpectInvalid(*t, MakeComposite({"a"}) + "\x00"s,
                "Not enough bytes to read value size of component 1");
  ExpectInvalid(*t, MakeComposite({"a"}) + "\x00\x08\x00"s,
                "Not enough bytes to read value of component 1");
  ExpectInvalid(*t, MakeComposite({"a", EncodeLong(1)}, -1) + "x"s,
                "Invalid bytes remaining after an end-of-component at component 1");
  ExpectInvalid(*t, MakeComposite({"a", EncodeLong(1), "x"}), "Too many bytes for comparator");
  // Each component is validated by its own type, with that type's message.
  ExpectInvalid(*t, MakeComposite({"\xff"s}), "String didn't validate.");
  ExpectInvalid(*t, MakeComposite({"a", "abc"}), "Expected 8 or 0 byte long (3)");
  ExpectInvalid(*MustParse("CompositeType(UTF8Type,ReversedType(TimeUUIDType))"),
                MakeComposite({"a", Uuid("550e8400-e29b-41d4-a716-446655440000")}),
                "Invalid version for TimeUUID type.");
}

TEST(MarshalCompositeTest, ToStringEscapesLikeCassandra) {
  TypePtr t = MustParse("CompositeType(UTF8Type,LongType)");
  EXPECT_EQ(t->ToString(""), "");
  EXPECT_EQ(t->ToString(MakeComposite({"a", EncodeLong(5)})), "a:5");
  EXPECT_EQ(t->ToString(MakeComposite({"a:b", EncodeLong(-5)})), "a\\:b:-5");
  EXPECT_EQ(t->ToString(MakeComposite({"x!"})), "x!!");
  EXPECT_EQ(t->ToString(MakeComposite({"x\\"})), "x\\!");
  EXPECT_EQ(t->ToString(MakeComposite({"", EncodeLong(1)})), ":1");
  EXPECT_EQ(t->ToString(MakeComposite({"a"}, -1)), "a:_");
  EXPECT_EQ(t->ToString(MakeComposite({"a"}, 1)), "a:!");
  EXPECT_EQ(t->ToString(MakeComposite({"a", EncodeLong(2)}, 1)), "a:2:!");
  EXPECT_EQ(MustParse("CompositeType(BytesType,IntegerType)")
                ->ToString(MakeComposite({"\x01\xff"s, EncodeVarint(-129)})),
            "01ff:-129");
  // Malformed bytes render instead of crashing.
  EXPECT_EQ(t->ToString(MakeComposite({"a"}) + "\x00\x09z"s), "a:0x0009" "7a");
}

// Comparing or rendering bytes that never passed Validate must stay in bounds (the
// sanitizer build checks this) and stay antisymmetric.
TEST(MarshalRobustnessTest, MalformedInputsNeverReadOutOfBounds) {
  std::vector<std::string> junk = {""s, "\x00"s, "\x00\x05"s, "\x00\x01" "a"s, "\xff\xff\xff"s,
                                   "abc"s, std::string(16, '\x10'), std::string(17, '\xff'),
                                   MakeComposite({"a"}, 1) + "zz"s};
  for (const char* name :
       {"BytesType", "AsciiType", "UTF8Type", "LongType", "Int32Type", "IntegerType",
        "UUIDType", "TimeUUIDType", "LexicalUUIDType", "BooleanType", "DoubleType",
        "FloatType", "DateType", "TimestampType", "CounterColumnType",
        "CompositeType(UTF8Type,ReversedType(LongType))", "ReversedType(UUIDType)"}) {
    TypePtr t = MustParse(name);
    for (const std::string& a : junk) {
      (void)t->Validate(a).ok();
      (void)t->ToString(a);
      for (const std::string& b : junk) {
        int ab = t->Compare(a, b), ba = t->Compare(b, a);
        EXPECT_EQ((ab > 0) - (ab < 0), -((ba > 0) - (ba < 0))) << name;
      }
    }
  }
}

// Random bytes, biased towards composite-looking prefixes: whatever Validate says,
// Compare stays antisymmetric, and valid composites split into as many components
// as Validate walked.
TEST(MarshalRobustnessTest, RandomBytesStayInBoundsAndAntisymmetric) {
  TypePtr composite = MustParse("CompositeType(BytesType,ReversedType(IntegerType))");
  std::mt19937 rng(1234);
  auto random_bytes = [&] {
    std::string s;
    size_t len = rng() % 24;
    for (size_t i = 0; i < len; ++i) {
      s.push_back(static_cast<char>(rng() % 3 == 0 ? rng() % 4 : rng()));
    }
    return s;
  };
  std::vector<std::string> values;
  for (int i = 0; i < 300; ++i) values.push_back(random_bytes());
  for (int i = 0; i < 100; ++i) {
    values.push_back(MakeComposite({random_bytes(), random_bytes()}, static_cast<int>(rng() % 3) - 1));
  }
  for (const std::string& a : values) {
    Status st = composite->Validate(a);
    Result<std::vector<std::string>> parts = SplitComposite(a);
    if (st.ok()) {
      EXPECT_TRUE(parts.ok()) << ToHexForTest(a);
      if (parts.ok()) {
        EXPECT_LE(parts->size(), 2u);
      }
    }
    (void)composite->ToString(a);
    for (size_t j = 0; j < 20; ++j) {
      const std::string& b = values[rng() % values.size()];
      int ab = composite->Compare(a, b), ba = composite->Compare(b, a);
      ASSERT_EQ((ab > 0) - (ab < 0), -((ba > 0) - (ba < 0)))
          << ToHexForTest(a) << " vs " << ToHexForTest(b);
    }
  }
}

}  // namespace
}  // namespace cairn
