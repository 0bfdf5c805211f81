"""Builds crates/core/data/pinyin.tsv: the first Mandarin reading, without tone, of each CJK
Unified Ideograph U+4E00–U+9FFF, from the character readings published with pypinyin 0.53.0
(pinyin_dict.json, MIT licence; its readings come from Unicode's Unihan kHanyuPinyin/kMandarin
and related sources). Usage: python3 scripts/data/pinyin_table.py PATH/TO/pinyin_dict.json
"""
import json
import sys
import unicodedata


def toneless(reading: str) -> str:
    # ü (with or without a tone mark) is written v, as Chinese keyboards do, before tones are dropped.
    for u in "üǖǘǚǜ":
        reading = reading.replace(u, "v")
    return "".join(c for c in unicodedata.normalize("NFD", reading) if not unicodedata.combining(c))


def main(path: str) -> None:
    table = json.load(open(path, encoding="utf-8"))
    out = ["# 汉字\t拼音（首读音，无声调）; source: pypinyin 0.53.0 pinyin_dict.json (MIT), from Unihan"]
    for code in range(0x4E00, 0xA000):
        readings = table.get(str(code))
        if readings:
            out.append(f"{chr(code)}\t{toneless(readings.split(',')[0])}")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
