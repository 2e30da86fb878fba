"""Questions, unquoted concepts and mixed queries: graded matching, pairs, coverage, explain."""

import json
import unicodedata

import pytest
from click.testing import CliRunner

from searchkit.cli import main
from tests.conftest import engine_over

DAK_NONG_SAMPLE = "003_968839511eb7d5a3"

ARTICLES = {
    # the concept as written, in the body only
    "ky_so": "Đắk Nông đẩy mạnh ứng dụng công nghệ thông tin\n\n"
             "Sở Thông tin và Truyền thông tỉnh Đắk Nông triển khai chữ ký số cho các cơ quan nhà nước, "
             "giúp ký văn bản điện tử nhanh chóng và an toàn.",
    # the three syllables scattered in the title (boosted), never side by side
    "rai_rac": "Chữ in, con số và ký ức của người thợ sắp chữ\n\n"
               "Nghề in chì đã lùi vào dĩ vãng. Người thợ sắp từng con chữ rồi mới ký tên vào bản in "
               "thử và đếm số trang mỗi ngày.",
    "dak_lak": "Đắk Lắk phát triển nông nghiệp công nghệ cao\n\n"
               "Tỉnh Đắk Lắk hỗ trợ nông dân dùng điện thoại thông minh để tra cứu giá nông sản; "
               "nhà mạng lắp thêm trạm BTS ở vùng sâu.",
    "dak_nong": "Viễn thông Đắk Nông mở rộng vùng phủ sóng\n\n"
                "Năm nay tỉnh Đắk Nông có thêm 40 trạm BTS, phủ sóng di động tới các xã vùng sâu.",
    "cntt_short": "Nghệ An: hội nghị CNTT toàn tỉnh\n\n"
                  "Tỉnh Nghệ An tổ chức hội nghị đánh giá ứng dụng CNTT trong cơ quan nhà nước.",
    "cntt_long": "Nghệ An đẩy mạnh công nghệ thông tin\n\n"
                 "Tỉnh Nghệ An ban hành kế hoạch phát triển công nghệ thông tin giai đoạn mới.",
    "chu_so_huu": "Doanh nghiệp và quyền tài sản\n\n"
                  "Ông chủ sở hữu doanh nghiệp đã ký hợp đồng; văn bản mang chữ ký số của giám đốc.",
    "tri_gia": "Thị trường thiết bị mạng\n\n"
               "Hợp đồng trị giá lớn. Lô hàng trị giá 2 triệu USD. Trị giá cổ phiếu tăng, trị giá "
               "hợp đồng thứ hai cũng tăng, trị giá thiết bị giảm.",
    "tri_tue": "Trí tuệ nhân tạo trong y tế\n\n"
               "Bệnh viện thử nghiệm trí tuệ nhân tạo để đọc phim chụp; trí tuệ nhân tạo giúp bác sĩ.",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    return engine_over(tmp_path_factory.mktemp("concepts"), ARTICLES)


def ids(results):
    return [hit.id for hit in results.hits]


def test_the_question_from_the_issue_answers_with_the_dak_nong_article(sample_engine):
    results = sample_engine.search("Đắk Nông đã làm gì để phát triển trạm BTS?")
    assert ids(results)[0] == DAK_NONG_SAMPLE
    assert results.suggestion is None  # 'gì' is a well-formed word, not a typo of 'kì'


@pytest.mark.parametrize("question", [
    unicodedata.normalize("NFD", "Đắk Nông đã làm gì để phát triển trạm BTS?"),
    "dak nong da lam gi de phat trien tram bts",
    "ĐẮK NÔNG ĐÃ LÀM GÌ ĐỂ PHÁT TRIỂN TRẠM BTS",
    "Ddawsk Noong ddax lamf gif ddeer phats trieenr trajm BTS?",  # Telex, Đắk's k final included
])
def test_the_question_typed_every_way_answers_alike(sample_engine, question):
    assert ids(sample_engine.search(question))[0] == DAK_NONG_SAMPLE


def test_the_telex_question_is_decoded_name_and_all(sample_engine):
    searched = sample_engine.search("Ddawsk Noong ddax lamf trajm BTS").searched
    assert searched == "Đắk Nông đã làm trạm BTS"


@pytest.mark.parametrize("typed, restored", [
    ("tinh uy hoa binh", "Tỉnh ủy Hòa Bình"),  # as the article writes it (Tỉnh uỷ, Hòa Bình), in one tone placement
    ("TINH UY HOA BINH", "TỈNH ỦY HÒA BÌNH"),  # in the case typed
    ("", ""), ("   ", ""),
])
def test_restored_accents_keep_case_and_use_one_tone_placement(sample_engine, typed, restored):
    assert sample_engine.restore_accents(typed) == restored


@pytest.mark.parametrize("query", ["chữ ký số", "chu ky so", "CHỮ KÝ SỐ", "chuwx kys soos"])
def test_an_unquoted_concept_ranks_its_holders_above_scattered_syllables(engine, query):
    found = ids(engine.search(query))
    assert set(found[:2]) == {"ky_so", "chu_so_huu"}  # both write 'chữ ký số'
    assert found.index("rai_rac") > 1  # all three syllables, in the title, never together


@pytest.mark.parametrize("query", ["Đắk Nông", "dak nong"])
def test_a_name_ranks_above_a_lookalike_that_holds_its_syllables_apart(engine, query):
    found = ids(engine.search(query))
    assert found[:2] in (["ky_so", "dak_nong"], ["dak_nong", "ky_so"])
    assert "dak_lak" not in found[:2]  # 'Đắk Lắk … nông dân'


def test_a_question_of_common_words_still_gets_ranked_results(engine):
    results = engine.search("ở đó có những gì và ai đã làm được không?")
    assert results.total > 0
    scores = [hit.score for hit in results.hits]
    assert scores == sorted(scores, reverse=True)


def test_articles_holding_every_word_come_first_then_those_holding_most(engine):
    results = engine.search("trạm BTS vùng sâu Đắk Lắk")
    assert ids(results)[0] == "dak_lak"  # holds every word
    assert "dak_nong" in ids(results)  # holds most of them
    assert results.complete == 1 and results.total > 1


def test_a_plus_word_is_required(engine):
    assert ids(engine.search("trạm BTS +Lắk")) == ["dak_lak"]
    assert set(ids(engine.search("trạm BTS"))) == {"dak_lak", "dak_nong"}


def test_a_quoted_phrase_is_required(engine):
    assert ids(engine.search('"chữ ký số" Đắk Nông')) == ["ky_so"]
    assert set(ids(engine.search('"chữ ký số" Cà Mau'))) == {"ky_so", "chu_so_huu"}  # no Cà Mau at all


@pytest.mark.parametrize("query", ["CNTT tỉnh Nghệ An", "công nghệ thông tin tỉnh Nghệ An", "cntt nghe an"])
def test_an_abbreviation_among_other_words_finds_both_spellings(engine, query):
    assert set(ids(engine.search(query))[:2]) == {"cntt_short", "cntt_long"}


def test_telex_among_typed_words_and_an_abbreviation(engine):
    results = engine.search("uwngs dungj CNTT Nghệ An")
    assert results.searched == "ứng dụng CNTT Nghệ An"
    assert ids(results)[0] == "cntt_short"  # ứng dụng CNTT
    assert "cntt_long" in ids(results)[:3]


def test_a_phrase_highlights_only_where_it_stands(engine):
    (hit,) = [h for h in engine.search('"chữ ký số"').hits if h.id == "chu_so_huu"]
    marked = [s.text[a:b] for s in hit.snippets for a, b in s.spans]
    assert marked == ["chữ ký số"]  # not 'chủ sở' of 'chủ sở hữu', nor the lone 'ký'


def test_accents_are_restored_from_the_pairs_the_index_writes(engine):
    assert engine.restore_accents("tri tue nhan tao") == "trí tuệ nhân tạo"  # 'trị' alone is commoner
    assert engine.restore_accents("tri gia hop dong") == "trị giá hợp đồng"
    assert engine.search("tri tue nhan tao").suggestion == "trí tuệ nhân tạo"


def test_explain_names_required_and_optional_words_and_breaks_the_score_down(engine):
    results = engine.search('"trạm BTS" Đắk Nông', explain=True)
    assert results.plan["required"] == ['"trạm bts"'] and results.plan["optional"] == ["đắk", "nông"]
    assert results.plan["side_by_side"] == ["dak nong"]
    top = results.hits[0]
    assert top.id == "dak_nong" and top.explanation.coverage == pytest.approx(1.0)
    parts = dict(top.explanation.parts)
    assert parts['"dak nong" · body'] > 0 and parts["đắk · title"] > 0
    assert top.explanation.relevance == pytest.approx(sum(parts.values()), rel=1e-4)
    assert top.score == pytest.approx(top.explanation.score)


def test_explain_says_an_article_holds_every_word_even_with_them_apart(engine):
    scattered = engine.explain("chữ ký số", "rai_rac")  # all three, never side by side
    holder = engine.explain("chữ ký số", "ky_so")
    assert scattered.complete and scattered.coverage == pytest.approx(1.0)  # coverage counts words
    assert holder.coverage == pytest.approx(1.0) and holder.score > scattered.score  # side by side: the bonus


def test_explain_one_article_and_one_that_does_not_match(engine):
    explained = engine.explain("trạm BTS Đắk Lắk", "dak_nong")
    assert 0 < explained.coverage < 1 and not explained.complete
    assert engine.explain("trạm BTS", "tri_tue") is None


def test_cli_explain_prints_the_plan_and_each_hit(engine):
    result = CliRunner().invoke(main, ["--lang", "vi", "query", "+Đắk", "Nông", "chữ", "ký", "--explain",
                                       "--index", str(engine.path)])
    assert result.exit_code == 0
    assert "  bắt buộc: đắk" in result.output and "  tùy chọn: nông, chữ, kí" in result.output
    assert "liền nhau: nong chu, chu ki, nong chu ki" in result.output
    assert "coverage" in result.output


def test_json_carries_completeness_offset_and_plan(engine):
    runner = CliRunner()
    output = runner.invoke(main, ["query", "trạm BTS vùng sâu Đắk Lắk", "--json", "--offset", "1",
                                  "--index", str(engine.path)]).output
    data = json.loads(output)
    assert (data["complete"], data["offset"], data["corrected"]) == (1, 1, False)
    assert "dak_lak" not in [hit["id"] for hit in data["hits"]]  # it is on the first page
