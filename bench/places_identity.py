"""Issue 21: `Gazetteer.find_all` looks only where a regex says a name may start; this checks it
finds what it found before. It dumps what the searchkit on PYTHONPATH finds in every article of
a JSONL corpus (province, `mentioned`, `find_all`, `find` of title, lead and body; for every
tenth article also in variants: capitals, lower case, NFD, no marks, newlines, no spaces), and
in adversarial texts, with the CPU time of `find_all` over the corpus; then compares two dumps.

    git worktree add /tmp/old 604f427
    PYTHONPATH=/tmp/old python bench/places_identity.py dump old.jsonl [corpus.jsonl]
    PYTHONPATH=.        python bench/places_identity.py dump new.jsonl [corpus.jsonl]
    python bench/places_identity.py compare old.jsonl new.jsonl    # 'differing: 0'
"""
import json
import sys
import time
import unicodedata

CORPUS = "/work/shared/corpus/corpus.jsonl"
ADVERSARIAL = [
    "Hà Nội", "Hà Nội.", ".Hà Nội", "Hà", "Nội Hà", "Thái Bình Dương", "cáp quang biển Thái Bình Dương nối Bình Dương",
    "tỉnh Thái Bình Dương", "Tỉnh Thái Bình", "thành phố Hòa Bình", "thành phố\nHòa Bình", "TP. Huế", "TP.Huế", "Tp. Hồ Chí Minh",
    "TP.HCM", "TP HCM", "tp hcm", "TPHCM", "Tp.HCM và Hà Nội", "HÀ NỘI", "HA NOI", "ha noi", "Ha Noi", "Hanoi", "HaNoi",
    "Hà\nNội", "Hà  Nội", "Hà\tNội", "Hà - Nội", "Bà Rịa - Vũng Tàu", "Bà Rịa–Vũng Tàu", "Bà Rịa -- Vũng Tàu", "Bà Rịa, Vũng Tàu",
    "Ba Ria Vung Tau", "BR-VT", "BRVT", "Đắk Nông", "Đăk Nông", "Đak Nông", "Dak Nong", "Đắc Lắc", "Đắk Lắk", "ĐẮK LẮK",
    "Ha Nọi", "Hà Nôi", "Hả Nội", "Hà Nộii", "Hà Nội1", "1Hà Nội", "1.Hà Nội", "1,Hà Nội", "2.000Hà Nội", "10.000 Hà Nội",
    "5G Hà Nội", "(Hà Nội)", "\"Hà Nội\"", "«Hà Nội»", "Hà_Nội", "_Hà Nội", "x_Hà Nội", "-Hà Nội-", "Hà Nội-Hải Phòng",
    "Quy Nhơn", "Qui Nhơn", "Mỹ Tho", "Mĩ Tho", "MỸ THO", "Sài Gòn - Chợ Lớn", "Sài Gòn", "Saigon", "SàiGòn",
    "Thủ đô Hà Nội", "Thủ Đô Hà Nội", "Thừa Thiên - Huế", "Thừa Thiên Huế", "TT-Huế", "TT Huế", "Huế", "huế", "ở Huế",
    "thành phố Huế", "Thành Phố Huế", "thanh pho Hue", "tinh Hoa Binh", "Hoa Binh", "Hòa Bình", "Hoà Bình", "tỉnh Hoà Bình",
    "Điện Biên Phủ", "tỉnh Điện Biên Phủ", "Điện Biên", "TP Điện Biên Phủ", "Hồ Chí Minh", "TP Hồ Chí Minh", "Bác Hồ Chí Minh",
    "Sở TT&TT tỉnh Đak Nông", "Nghệ An, Hà Tĩnh và Nghệ An", "nghệ an", "Nghệ an", "NGHỆ AN",
    unicodedata.normalize("NFD", "Hòa Bình, Đắk Nông, tỉnh Hòa Bình, Hà Nội"), "Ｈà Nội", "Hà Nội ß", "Straße Hà Nội",
    "Łódź Hà Nội", "Москва Hà Nội", "北京 Hà Nội", "Hà Nội 北京", "İstanbul Hà Nội", "Ǆakovo Hà Nội", "ǅ Hà Nội",
    "tỉnh " + "a" * 70 + " Hòa Bình", "a" * 70 + "Hà Nội", "Hà " + "N" * 70, "tỉnh" + "." * 5000 + "Hòa Bình",
    "1,2,3,4,5," * 900 + "tỉnh Hòa Bình", "thành phố Hòa Bình" + ",1" * 3000 + " Hòa Bình", "1.000.000,5 Thái Bình",
    "2,5Hà Nội", "Hà Nội\u00a0Hải Phòng", "Hà\u00a0Nội", "Hà\u2009Nội", "Ⓗà Nội", "ＨＡ ＮＯＩ", "Hà Nội" * 3,
    "Cần Thơ", "Cà Mau", "Cantho", "Kon Tum", "KonTum", "Kontum", "Buôn Ma Thuột", "Buôn Mê Thuột", "Hội An", "Hạ Long",
    "Phú Quốc", "Đà Lạt", "Đà Nẵng", "Danang", "Hưng Yên", "Tuyên Quang", "Yên Bái", "YÊN BÁI", "Yên bái", "Việt Trì",
    "Viettel \u212aon Tum", "\u212aon Tum", "\u212aon\u212aum", "Hà Nöi", "ＨＡ ＮＯＩ và Kon Tum",
]


def texts(path):
    from searchkit.text.normalize import normalize_text
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            title = normalize_text(r.get("title") or "").strip()
            body = normalize_text(r["body"]).strip()
            yield r["id"], r.get("province"), title, body


def variants(text):
    nfd = unicodedata.normalize("NFD", text)
    from searchkit.text.fold import fold
    return {"upper": text.upper(), "lower": text.lower(), "title": text.title(), "nfd": nfd, "folded": fold(text),
            "newlines": text.replace(" ", "\n"), "nospace": text.replace(" ", ""), "dashes": text.replace(" ", " - ")}


def dump(out_path, corpus=CORPUS):
    from searchkit.indexing.corpus import mentioned
    from searchkit.text.places import LEAD_CHARS, load_gazetteer
    g = load_gazetteer()
    g.find_all("Hà Nội")
    cpu = 0.0
    with open(out_path, "w", encoding="utf-8") as out:
        for n, (rid, province, title, body) in enumerate(texts(corpus)):
            lead = body.split("\n", 1)[0]
            province = (g.resolve(province) if province else None) or g.province_of(title, lead)
            t = time.process_time()
            found = g.find_all(f"{title}\n{body}")
            cpu += time.process_time() - t
            row = {"id": rid, "province": province, "mentioned": mentioned(province, title, body), "find_all": found,
                   "find_title": g.find(title), "find_lead": g.find(lead[:LEAD_CHARS]), "find_body": g.find(body)}
            if n % 10 == 0:
                row["variants"] = {k: [g.find(v), g.find_all(v)] for k, v in variants(f"{title}\n{body}").items()}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        for text in ADVERSARIAL:
            row = {"id": "adv:" + text[:40], "find": g.find(text), "find_all": g.find_all(text),
                   "province_of": g.province_of(text, text), "mentioned": mentioned(None, text, text),
                   "variants": {k: [g.find(v), g.find_all(v)] for k, v in variants(text).items()}}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{out_path}: find_all over the corpus {cpu:.2f} s CPU", file=sys.stderr)


def compare(a, b):
    rows_a, rows_b = open(a, encoding="utf-8").readlines(), open(b, encoding="utf-8").readlines()
    assert len(rows_a) == len(rows_b), (len(rows_a), len(rows_b))
    differ = [(x, y) for x, y in zip(rows_a, rows_b) if x != y]
    for x, y in differ[:10]:
        print("OLD", x[:400], "\nNEW", y[:400])
    names = sum(len(json.loads(x)["find_all"]) for x in rows_a)
    print(f"{len(rows_a)} rows ({names} names found), differing: {len(differ)}")
    assert not differ


if __name__ == "__main__":
    dump(*sys.argv[2:4]) if sys.argv[1] == "dump" else compare(sys.argv[2], sys.argv[3])
