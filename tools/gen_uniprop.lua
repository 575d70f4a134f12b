#!/usr/bin/env lua5.4
--[[
gen_uniprop.lua -- write csrc/ds_uniprop.c from the Unicode Character Database.

  lua5.4 tools/gen_uniprop.lua /work/shared/data/unicode-15.0 > csrc/ds_uniprop.c

Reads WordBreakProperty.txt, SentenceBreakProperty.txt and emoji-data.txt
(Extended_Pictographic only) from the given directory and writes C tables for
ds_uniprop.h: every code point maps to a small "class" number (one per distinct
(Word_Break, Sentence_Break, Extended_Pictographic) triple), stored in a two-stage
table (block index -> deduplicated block of class bytes), and each class maps to a
packed 16-bit value. Property values are written as the enum names of ds_uniprop.h,
so the C compiler checks that both sides agree.

The output is deterministic: same input, same bytes.
]]

local dir = arg[1]
if not dir then
  io.stderr:write("usage: lua5.4 tools/gen_uniprop.lua UCD-DIR > csrc/ds_uniprop.c\n")
  os.exit(2)
end

local MAXCP = 0x10FFFF

-- Which code points the two-stage table covers. Everything the 15.0 data gives a
-- non-default value lies in planes 0-3 and in U+E0000..U+E0FFF (tags, variation
-- selectors); other code points are Other/Other/not pictographic. The lookup maps
-- plane 14's first 4096 code points right after LOW_END. If a later Unicode version
-- assigns properties elsewhere, the check after `span_of` stops the generator.
local LOW_END = 0x40000
local TAG_BEGIN, TAG_END = 0xE0000, 0xE1000
local SHIFT = 7                      -- block = 128 code points
local BLOCK = 1 << SHIFT

-- Parse one UCD file: returns a map cp -> value for lines whose value passes `want`,
-- and the version the file's header names.
local function read_ucd(name, want)
  local path = dir .. "/" .. name
  local f, err = io.open(path, "r")
  if not f then
    io.stderr:write("gen_uniprop: cannot open ", path, ": ", tostring(err), "\n")
    os.exit(1)
  end
  local map, version, nline = {}, nil, 0
  for line in f:lines() do
    nline = nline + 1
    -- "# WordBreakProperty-15.0.0.txt" on line 1; emoji-data.txt says instead
    -- "# Used with Emoji Version 15.0 and subsequent minor revisions".
    version = version or line:match("^# [%w-]+%-(%d+%.%d+%.%d+)%.txt")
                      or line:match("^# Used with Emoji Version (%d+%.%d+) ")
    local body = line:gsub("#.*", "")
    local lo, hi, val = body:match("^%s*(%x+)%.%.(%x+)%s*;%s*([%w_]+)")
    if not lo then
      lo, val = body:match("^%s*(%x+)%s*;%s*([%w_]+)")
      hi = lo
    end
    if lo and (not want or want(val)) then
      local a, b = tonumber(lo, 16), tonumber(hi, 16)
      assert(a <= b and b <= MAXCP, path .. ":" .. nline .. ": bad range")
      for cp = a, b do
        if map[cp] and map[cp] ~= val then
          error(path .. ":" .. nline .. ": U+" .. string.format("%04X", cp) ..
                " has two values")
        end
        map[cp] = val
      end
    end
  end
  f:close()
  return map, version
end

local wb, wbver = read_ucd("WordBreakProperty.txt")
local sb, sbver = read_ucd("SentenceBreakProperty.txt")
local ep, epver = read_ucd("emoji-data.txt", function(v) return v == "Extended_Pictographic" end)
if not wbver or wbver ~= sbver or wbver ~= (epver and epver .. ".0") then
  io.stderr:write("gen_uniprop: version mismatch: ", tostring(wbver), " ", tostring(sbver),
                  " ", tostring(epver), "\n")
  os.exit(1)
end
local version = wbver

-- Class numbers: class 0 is the default triple, then in order of first appearance.
local class_of_key, class_key = { ["Other/Other/0"] = 0 }, { [0] = "Other/Other/0" }
local nclass = 1
local function class_at(cp)
  local key = (wb[cp] or "Other") .. "/" .. (sb[cp] or "Other") .. "/" .. (ep[cp] and 1 or 0)
  local c = class_of_key[key]
  if not c then
    c = nclass
    nclass = nclass + 1
    class_of_key[key], class_key[c] = c, key
  end
  return c
end

-- Index space of the table: [0, LOW_END) then [TAG_BEGIN, TAG_END).
local function span_of(cp)
  if cp < LOW_END then return cp end
  if cp >= TAG_BEGIN and cp < TAG_END then return LOW_END + (cp - TAG_BEGIN) end
  return nil
end
for cp = 0, MAXCP do
  if not span_of(cp) and class_at(cp) ~= 0 then
    io.stderr:write(string.format("gen_uniprop: U+%04X has properties outside the " ..
                                  "covered planes; extend LOW_END/TAG_*\n", cp))
    os.exit(1)
  end
end
local NSPAN = LOW_END + (TAG_END - TAG_BEGIN)
assert(NSPAN % BLOCK == 0)

-- Stage 2: deduplicated blocks of class bytes; stage 1: block number per block.
local stage1, blocks, block_of_key = {}, {}, {}
for b = 0, NSPAN // BLOCK - 1 do
  local base = b * BLOCK
  local cps = base < LOW_END and base or TAG_BEGIN + (base - LOW_END)
  local row = {}
  for k = 0, BLOCK - 1 do row[k + 1] = class_at(cps + k) end
  local key = table.concat(row, ",")
  local n = block_of_key[key]
  if not n then
    n = #blocks
    blocks[n + 1] = row
    block_of_key[key] = n
  end
  stage1[b + 1] = n
end
assert(nclass <= 256, "more than 256 classes")
assert(#blocks <= 256, "more than 256 distinct blocks; use uint16_t for stage 1")

-- Output --------------------------------------------------------------------------

local out = {}
local function emit(s) out[#out + 1] = s end

-- Comma-separated numbers, wrapped at ~100 columns.
local function emit_numbers(list)
  local line = " "
  for i, v in ipairs(list) do
    local s = tostring(v) .. (i < #list and "," or "")
    if #line + #s > 98 then
      emit(line .. "\n")
      line = " "
    end
    line = line .. s
  end
  emit(line .. "\n")
end

emit(string.format("/* GENERATED by tools/gen_uniprop.lua from Unicode %s " ..
                   "(WordBreakProperty.txt, SentenceBreakProperty.txt, emoji-data.txt); " ..
                   "do not edit. */\n", version))
emit([==[
/*
** ds_uniprop.c -- Word_Break, Sentence_Break and Extended_Pictographic lookup.
**
** A code point cp in [0, 0x40000) or [0xE0000, 0xE1000) is first mapped to an index
** i in [0, DS_UNIPROP_NSPAN); its class is
**   aBlock[aStage1[i >> DS_UNIPROP_SHIFT]][i & (DS_UNIPROP_BLOCK-1)]
** and aClass[class] packs the three properties (see ds_uniprop.h). Every other code
** point has class 0: Other, Other, not pictographic.
*/
#include "ds_uniprop.h"

]==])
emit(string.format("#define DS_UNIPROP_SHIFT %d\n", SHIFT))
emit(string.format("#define DS_UNIPROP_BLOCK %d\n", BLOCK))
emit(string.format("#define DS_UNIPROP_LOW_END 0x%X\n", LOW_END))
emit(string.format("#define DS_UNIPROP_TAG_BEGIN 0x%X\n", TAG_BEGIN))
emit(string.format("#define DS_UNIPROP_TAG_END 0x%X\n", TAG_END))
emit(string.format("#define DS_UNIPROP_NSPAN 0x%X\n\n", NSPAN))

emit("#define P(wb, sb, ep) ((uint16_t)((wb) | ((sb) << DS_UNIPROP_SB_SHIFT) | " ..
     "((ep) << DS_UNIPROP_EP_SHIFT)))\n")
emit(string.format("static const uint16_t aClass[%d] = {\n", nclass))
for c = 0, nclass - 1 do
  local w, s, e = class_key[c]:match("^([^/]+)/([^/]+)/(%d)$")
  emit(string.format("  P(DS_WB_%s, DS_SB_%s, %s)%s\n", w:upper(), s:upper(), e,
                     c < nclass - 1 and "," or ""))
end
emit("};\n\n")

emit(string.format("static const uint8_t aStage1[%d] = {\n", #stage1))
emit_numbers(stage1)
emit("};\n\n")

emit(string.format("static const uint8_t aBlock[%d][DS_UNIPROP_BLOCK] = {\n", #blocks))
for i, row in ipairs(blocks) do
  emit(" {\n")
  emit_numbers(row)
  emit(i < #blocks and " },\n" or " }\n")
end
emit("};\n\n")

-- U+0000..U+007F again, packed, so hot loops can look ASCII up without a call.
emit("const uint16_t ds_uniprop_ascii[128] = {\n")
for cp = 0, 127 do
  local w, s, e = class_key[class_at(cp)]:match("^([^/]+)/([^/]+)/(%d)$")
  emit(string.format("  P(DS_WB_%s, DS_SB_%s, %s)%s  /* U+%04X */\n", w:upper(), s:upper(), e,
                     cp < 127 and "," or " ", cp))
end
emit("};\n#undef P\n\n")

emit([==[
/*
** Packed properties of cp (any value; out-of-range code points are Other).
*/
uint16_t ds_uniprop(uint32_t cp) {
  uint32_t i;
  if (cp < DS_UNIPROP_LOW_END) i = cp;
  else if (cp >= DS_UNIPROP_TAG_BEGIN && cp < DS_UNIPROP_TAG_END)
    i = DS_UNIPROP_LOW_END + (cp - DS_UNIPROP_TAG_BEGIN);
  else return aClass[0];
  return aClass[aBlock[aStage1[i >> DS_UNIPROP_SHIFT]][i & (DS_UNIPROP_BLOCK - 1)]];
}

int ds_wb_prop(uint32_t cp) { return DS_UNIPROP_WB(ds_uniprop(cp)); }
int ds_sb_prop(uint32_t cp) { return DS_UNIPROP_SB(ds_uniprop(cp)); }
int ds_is_extpict(uint32_t cp) { return DS_UNIPROP_EP(ds_uniprop(cp)); }
]==])

io.write(table.concat(out))
io.stderr:write(string.format("gen_uniprop: Unicode %s, %d classes, %d blocks of %d, " ..
                              "stage 1 %d entries\n", version, nclass, #blocks, BLOCK, #stage1))
