"""Any string a user can type gives results or a clear SearchkitError, nothing else."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searchkit import QueryError, SearchkitError

VIETNAMESE = "aăâeêioôơuưyđ" + "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
query_text = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + ' "-:()&|*ORNTADtitle', max_size=60),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=query_text)
def test_any_query_returns_results_or_a_searchkit_error(sample_engine, query):
    try:
        results = sample_engine.search(query, limit=3)
    except QueryError as error:
        assert "type at least one word" in str(error)
    except SearchkitError:
        raise AssertionError("only QueryError is expected from a query on a good index")
    else:
        assert results.total >= len(results.hits)
        for hit in results.hits:
            for snippet in hit.snippets:
                assert all(0 <= a < b <= len(snippet.text) for a, b in snippet.spans)
