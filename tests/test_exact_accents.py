"""Typed accents decide, keyword bags in any order, names side by side (issue 17).

Each look-alike article below holds the query's letters with other marks, and holds them
more often or in its title, so that only the typed accents can put the right article first.
"""

import unicodedata

import pytest

from searchkit.searching.exact import ANY, EXACT, PLAIN, Match
from searchkit.text.variants import marked_variants
from tests.conftest import engine_over

ARTICLES = {
    "nghe_an": "Hội nghị tổng kết năm của Sở\n\n"
               "Sở Thông tin và Truyền thông tỉnh Nghệ An tổng kết ứng dụng CNTT trong các cơ quan "
               "nhà nước; nhiều huyện đã có mạng nội bộ.",
    "an_do": "Ngành công nghệ Ấn Độ gặp khó, CNTT Ấn Độ chững lại\n\n"
             "Các hãng CNTT của Ấn Độ lo ngại: công nghệ Ấn Độ phụ thuộc vào thị trường Mỹ; "
             "công nghệ Ấn Độ cần thị trường mới.",
    "an_giang": "CNTT tại An Giang: chương trình đào tạo quốc tế\n\n"
                "Trường đại học An Giang mở lớp CNTT; các doanh nghiệp công nghệ tham gia giảng dạy.",
    "si_quan": "Một sĩ quan hải quân hy sinh khi làm nhiệm vụ\n\n"
               "Chiếc trực thăng rơi xuống biển; một sĩ quan và hai chiến sĩ được cứu.",
    "bac_si": "Bác sĩ trẻ và quân y: Hệ thống thông tin bệnh viện\n\n"
              "Các bác sĩ quân y dùng phần mềm quản lý; bác sĩ nhập hồ sơ, quân đội tài trợ.",
    "dien_bien": "Điện Biên đưa du lịch thành ngành mũi nhọn\n\n"
                 "Tỉnh Điện Biên phát triển du lịch gắn với di tích lịch sử.",
    "dien_bien_lookalike": "Diễn biến vụ án mạng ảo: diễn biến mới\n\n"
                           "Diễn biến phiên tòa xét xử tin tặc; diễn biến tiếp theo còn chờ.",
    # a keyword bag: every rare word of this title, none of them side by side in the query
    "bag_target": "VeriSign đoạt giải 'mâm xôi vàng' của Internet năm 2003\n\n"
                  "Công ty quản lý tên miền bị chê vì dịch vụ chuyển hướng.",
    "thuy_san": "Ngành thủy sản ứng dụng phần mềm truy xuất nguồn gốc\n\n"
                "Doanh nghiệp thủy sản dùng mã vạch cho từng lô hàng.",
    "thuy_lookalike": "Cô Thúy mở cửa hàng bán sản phẩm công nghệ\n\n"
                      "Chị Thúy cho biết sản phẩm của Thúy bán chạy; Thuý nhập sản phẩm mới.",
    "bag_pairs": "Internet VeriSign ra mắt dịch vụ mới\n\n"
                 "Hãng nói Internet VeriSign sẽ an toàn hơn; mâm cỗ ngày Tết vẫn có xôi.",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    return engine_over(tmp_path_factory.mktemp("exact"), ARTICLES)


def ids(results):
    return [hit.id for hit in results.hits]


@pytest.mark.parametrize("query, first, lookalike", [
    ("CNTT Nghệ An", "nghe_an", "an_do"),  # not 'công nghệ Ấn Độ', not 'CNTT tại An Giang'
    ("sĩ quan", "si_quan", "bac_si"),  # not 'bác sĩ … quân y'
    ("Điện Biên", "dien_bien", "dien_bien_lookalike"),  # not 'diễn biến'
])
def test_the_exact_accented_form_ranks_above_a_folded_lookalike(engine, query, first, lookalike):
    found = ids(engine.search(query))
    assert found[0] == first
    assert lookalike not in found or found.index(lookalike) > found.index(first)


@pytest.mark.parametrize("query", [
    "sĩ quan", "sỹ quan", "SĨ QUAN", unicodedata.normalize("NFD", "sĩ quan"),  # i/y, capitals, NFD: one word
])
def test_every_spelling_of_the_exact_form_counts_as_exact(engine, query):
    results = engine.search(query, explain=True)
    assert ids(results)[0] == "si_quan"
    assert {a["word"]: a["mode"] for a in results.plan["accents"]}["sĩ"] == EXACT


@pytest.mark.parametrize("query", ["thủy sản", "thuỷ sản"])  # either tone placement is exact
def test_tone_placement_is_exact_and_a_lookalike_ranks_below(engine, query):
    results = engine.search(query, explain=True)
    found = ids(results)
    assert found[0] == "thuy_san" and found.index("thuy_lookalike") > 0
    assert {a["word"]: a["mode"] for a in results.plan["accents"]}["thủy"] == EXACT


def test_a_name_typed_without_accents_is_found_as_the_province_is_written(engine):
    assert ids(engine.search("cntt nghe an"))[0] == "nghe_an"
    assert ids(engine.search("dien bien"))[0] == "dien_bien"


def test_a_keyword_bag_in_any_order_finds_the_article_holding_every_word(engine):
    for query in ("mâm xôi đoạt Internet VeriSign", "VeriSign xôi Internet đoạt mâm",
                  "mam xoi doat internet verisign"):
        assert ids(engine.search(query))[0] == "bag_target", query


def test_a_lookalike_still_matches_below_the_exact_form(engine):
    found = ids(engine.search("sĩ quan", limit=20))
    assert "bac_si" in found  # folded 'si' and 'quan' are there: found, ranked lower


def test_a_marked_word_missing_from_the_index_falls_back_and_says_so(engine):
    results = engine.search("Điện Biến", explain=True)  # 'biến' is in the index: exact
    assert results.searched is None
    results = engine.search("nghệ Ãn", explain=True)  # 'ãn': no article writes it
    assert results.searched == "nghệ An" and results.hits
    fallen = [a for a in results.plan["accents"] if a["fallback"]]
    assert fallen == [{"word": "ãn", "mode": ANY, "fallback": True}]


@pytest.mark.parametrize("query, first", [("Hội nghị tổng kết", "nghe_an"),  # written in a title only
                                          ("rơi xuống biển", "si_quan")])  # in a body only
def test_a_marked_word_written_in_titles_or_bodies_alone_is_exact(engine, query, first):
    """A marked word falls back only when neither titles nor bodies hold its exact form."""
    results = engine.search(query, explain=True)
    assert results.searched is None and ids(results)[0] == first
    assert not [a for a in results.plan["accents"] if a["fallback"]]


def test_partly_accented_query_matches_unmarked_words_any_way(engine):
    plan = engine.search("Điện bien", explain=True).plan  # 'bien' typed bare beside a marked word
    modes = {a["word"]: a["mode"] for a in plan["accents"]}
    assert modes["điện"] == EXACT and modes["bien"] in (ANY, PLAIN)
    assert ids(engine.search("Điện bien"))[0] == "dien_bien"


def test_highlights_of_an_accented_query_mark_only_exact_forms(engine):
    hit = next(h for h in engine.search("Điện Biên", limit=20).hits if h.id == "dien_bien_lookalike")
    assert hit.title_spans == () and all(not s.spans for s in hit.snippets)
    hit = next(h for h in engine.search("dien bien", limit=20).hits if h.id == "dien_bien_lookalike")
    assert hit.title_spans  # typed without accents: every spelling is marked


def test_marked_variants_of_a_folded_syllable():
    assert {"ấn", "ăn", "án", "ân"} <= set(marked_variants("an")) and "an" not in marked_variants("an")
    assert marked_variants("cntt") == () and "đắk" in marked_variants("dak")
    assert "hòa" in marked_variants("hoa") and "hoà" not in marked_variants("hoa")  # the index's tone placement
    assert "kĩ" in marked_variants("ki") and marked_variants("") == ()


def test_match_to_dict():
    assert Match("an", "an", PLAIN).to_dict() == {"word": "an", "mode": PLAIN, "fallback": False}


REGION = {
    "tay_nguyen": "Ứng dụng CNTT ở các tỉnh Tây Nguyên\n\n"
                  "Các tỉnh Tây Nguyên đẩy mạnh ứng dụng CNTT trong cơ quan nhà nước; vùng Tây Nguyên "
                  "có thêm nhiều trạm phát sóng.",
    "tay_nguyen_du_lich": "Du lịch Tây Nguyên mùa cà phê\n\n"
                          "Khách đến Tây Nguyên ngày càng đông; Tây Nguyên có nhiều lễ hội.",
    "apart": "CNTT phía tây thành phố: nguyên tắc mới, nguyên liệu mới\n\n"
             "Khu CNTT phía tây mở rộng; nhà đầu tư giữ nguyên kế hoạch, nguyên giá đất phía tây "
             "tăng; CNTT và nguyên tắc quản lý CNTT.",
}


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    return engine_over(tmp_path_factory.mktemp("region"), REGION)


def test_a_name_the_restoration_capitalises_counts_whole_only_side_by_side(region):
    assert region.restore_accents("cntt tay nguyen") == "CNTT Tây Nguyên"
    assert region.plan("cntt tay nguyen").names == ()  # nothing typed says it is a name ...
    results = region.search("cntt tay nguyen", explain=True)
    assert "tay nguyen" in results.plan["names"]  # ... its restoration does
    assert ids(results)[0] == "tay_nguyen"  # not the article holding 'tây' and 'nguyên' apart, more often


def test_an_unaccented_query_marks_its_restored_spelling_where_the_article_has_it(sample_engine):
    (hit,) = [h for h in sample_engine.search("tram bts").hits if h.id == "003_968839511eb7d5a3"]
    marked = {s.text[a:b] for s in hit.snippets for a, b in s.spans}
    assert "trạm BTS" in marked and not any("trăm" in m.lower() for m in marked)
    body = sample_engine.highlighting("tram bts")[1]
    assert [m for m in ("Trăm trạm BTS",) for a, b in body.spans(m)] and \
        ["Trăm trạm BTS"[a:b] for a, b in body.spans("Trăm trạm BTS")] == ["trạm BTS"]
    assert ["trăm BTS"[a:b] for a, b in body.spans("trăm BTS")] == ["trăm BTS"]  # no trạm there: any


def test_a_restored_name_is_marked_whole_never_its_words_apart(region):
    hit = next(h for h in region.search("cntt tay nguyen").hits if h.id == "apart")
    marked = {s.text[a:b].lower() for s in hit.snippets for a, b in s.spans}
    assert "tây" not in marked and "nguyên" not in marked and "cntt" in marked
