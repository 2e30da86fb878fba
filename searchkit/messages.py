"""Every sentence searchkit shows a person, in Vietnamese and English: one catalogue.

A key names a message (`"filter.unknown_province"`, `"cli.no_results"`); its text is a
`str.format` template. The library's errors carry a key and data (`SearchkitError.kind`,
`field`, `value`, `hint`); each interface words them here in its user's language: the command
line names the field as a flag (`--since`), the web as its own label. Pure text, no I/O but
reading the environment in `language()`.

>>> say("cli.no_results", "vi", query="xyzzyq")
'Không tìm thấy kết quả cho "xyzzyq".'
>>> say("filter.unknown_value_close", "en", field="source", name="source", value="vnexpres",
...     close=["VnExpress", "Vn"])
"source: no article has source 'vnexpres'; did you mean 'VnExpress' or 'Vn'?"
"""

from __future__ import annotations

import os
import string
from collections.abc import Mapping
from typing import Any

LANGUAGES = ("vi", "en")

#: key -> {"vi": template, "en": template}. Format specs of lists: `list` (a, b), `or`
#: (a, b or c), `qlist` / `qor` the same with each item quoted ('a', 'b'). Data given as
#: `NAME_vi` replaces `NAME` in Vietnamese (a word the raise site knows in both languages).
CATALOGUE: dict[str, dict[str, str]] = {
    # --- the query ------------------------------------------------------------------------
    "query.not_text": {
        "vi": "Truy vấn phải là chữ, không phải {type}",
        "en": "the query must be text, not {type}",
    },
    "query.no_words": {
        "vi": 'Truy vấn không có từ nào để tìm; hãy gõ ít nhất một từ, ví dụ "trạm BTS"',
        "en": 'the query has no words to look for; type at least one word, e.g. "trạm BTS"',
    },
    "query.only_excluded": {
        "vi": 'Truy vấn chỉ có từ loại trừ; hãy gõ ít nhất một từ cần tìm, ví dụ "trạm BTS"',
        "en": 'the query has only excluded words to look for; type at least one word, e.g. "trạm BTS"',
    },
    "query.too_long": {
        "vi": "Truy vấn dài {length:,} ký tự; searchkit chỉ đọc tối đa {limit:,}: hãy gõ vài từ quan trọng nhất",
        "en": "the query is {length:,} characters long; searchkit reads at most {limit:,}: "
              "type the few words that matter most",
    },
    "query.word_too_long": {
        "vi": "Từ {word}… dài {letters:,} chữ cái; không từ nào trong chỉ mục dài quá {limit}: "
              "hãy cách các từ bằng dấu cách",
        "en": "the word {word}… is {letters:,} letters long; no indexed word is longer than {limit}: "
              "put spaces between the words",
    },
    "query.stdin_empty": {
        "vi": 'Truy vấn đọc từ đầu vào chuẩn bị trống; ví dụ: echo "trạm BTS" | searchkit query -',
        "en": 'the query on standard input is empty; e.g. echo "trạm BTS" | searchkit query -',
    },
    # --- pages ----------------------------------------------------------------------------
    "page.out_of_range": {
        "vi": "{field} phải là số nguyên từ {low} đến {high:,}, không phải {value!r}",
        "en": "{field} must be a whole number from {low} to {high:,}, not {value!r}",
    },
    "page.not_a_number": {
        "vi": "{field} phải là số nguyên, không phải {value!r}",
        "en": "{field} must be a whole number, not {value!r}",
    },
    "page.outside": {
        "vi": "{field} phải từ {low} đến {high:,}, không phải {value:,}",
        "en": "{field} must be from {low} to {high:,}, not {value:,}",
    },
    "page.too_small": {
        "vi": "{field} phải từ {low} trở lên, không phải {value:,}",
        "en": "{field} must be at least {low}, not {value:,}",
    },
    "param.too_long": {
        "vi": "{field} dài {length:,} ký tự; tối đa {limit}",
        "en": "{field} is {length:,} characters long; at most {limit}",
    },
    "param.not_a_flag": {
        "vi": "{field} phải là true hoặc false, không phải {value!r}",
        "en": "{field} must be true or false, not {value!r}",
    },
    # --- filters and sorting --------------------------------------------------------------
    "filter.not_text": {
        "vi": "{field} phải là chữ, không phải {type} ({value!r})",
        "en": "{field} must be text, not {type} ({value!r})",
    },
    "filter.not_a_date": {
        "vi": "{field}: {value!r} không phải ngày; hãy viết YYYY, MM/YYYY, DD/MM/YYYY (ngày trước) "
              "hoặc YYYY-MM-DD, ví dụ 2010, 02/2010 hoặc 03/02/2010",
        "en": "{field}: {value!r} is not a date; use YYYY, YYYY-MM, YYYY-MM-DD or DD/MM/YYYY, "
              "e.g. 2010-02 or 03/02/2010",
    },
    "filter.since_after_until": {
        "vi": "{field} {value} muộn hơn {other} {until}; hãy đổi chỗ hai ngày",
        "en": "{field} {value} is after {other} {until}; swap them",
    },
    "filter.unknown_province": {
        "vi": "{field}: {value!r} không phải tỉnh/thành phố nào của Việt Nam; gõ tên có hoặc không dấu, "
              'ví dụ "dak nong" hoặc TP.HCM',
        "en": "{field}: {value!r} is not a province or city of Vietnam; type its name with or without "
              'accents, e.g. "dak nong" or TP.HCM',
    },
    "filter.too_many": {
        "vi": "{field}: tối đa {limit} giá trị, không phải {value}; hãy bỏ bớt những giá trị ít cần nhất",
        "en": "{field}: at most {limit} values, not {value}; leave out the ones that matter least",
    },
    "filter.no_letters": {
        "vi": "{field}: {value!r} không có chữ cái hay chữ số nào để so khớp",
        "en": "{field}: {value!r} has no letters or digits to match",
    },
    "filter.unknown_value": {
        "vi": "{field}: không bài nào có {name} {value!r}; các giá trị có: {known:qlist}",
        "en": "{field}: no article has {name} {value!r}; known ones: {known:qlist}",
    },
    "filter.unknown_value_close": {
        "vi": "{field}: không bài nào có {name} {value!r}; có phải ý bạn là {close:qor}?",
        "en": "{field}: no article has {name} {value!r}; did you mean {close:qor}?",
    },
    "filter.unknown_value_none": {
        "vi": "{field}: không bài nào có {name} {value!r}; chỉ mục không có bài nào ghi {name}",
        "en": "{field}: no article has {name} {value!r}; no article in the index has a {name}",
    },
    "filter.bad_sort": {
        "vi": "Không sắp xếp theo {value!r} được; hãy dùng một trong: {choices:list}",
        "en": "cannot sort by {value!r}; use one of: {choices:list}",
    },
    # --- the index ------------------------------------------------------------------------
    "index.not_found": {
        "vi": "Chưa có chỉ mục ở {value}; hãy tạo bằng: {command}",
        "en": "no index at {value}; build one with: {command}",
    },
    "index.being_created": {
        "vi": "Chỉ mục ở {value} đang được tạo; hãy thử lại sau giây lát",
        "en": "the index at {value} is being created; try again in a moment",
    },
    "index.foreign": {
        "vi": "{value} không phải chỉ mục searchkit; hãy chọn thư mục khác cho {field}",
        "en": "{value} is not a searchkit index; choose another directory for {field}",
    },
    "index.not_empty": {
        "vi": "{value} không trống và không phải chỉ mục searchkit; searchkit không ghi đè lên nó",
        "en": "{value} is not empty and not a searchkit index; refusing to overwrite it",
    },
    "index.old_schema": {
        "vi": "Chỉ mục ở {value} được ghi theo lược đồ phiên bản {version}, searchkit này đọc phiên bản "
              "{current}; hãy dựng lại: {command} (CORPUS: các thư mục hay tệp đã dùng để dựng; "
              "mặc định ./corpus)",
        "en": "the index at {value} was written by schema version {version}, this searchkit reads version "
              "{current}; rebuild it with: {command} (CORPUS: the folders or files it was built from; "
              "./corpus when left out)",
    },
    "index.damaged": {
        "vi": "Chỉ mục bị hỏng: {value} {problem}; hãy dựng lại: {command}",
        "en": "{value} {problem}: the index is damaged; rebuild it with: {command}",
    },
    "index.unreadable": {
        "vi": "Không đọc được chỉ mục ở {value} ({problem}); có thể chỉ mục đã hỏng: hãy dựng lại: {command}",
        "en": "cannot read the index at {value} ({problem}); it may be damaged: rebuild it with: {command}",
    },
    "index.suspect": {
        "vi": "{value} {problem}; hãy kiểm tra chỉ mục bằng: {command}",
        "en": "{value} {problem}; check the index with: {command}",
    },
    "index.busy": {
        "vi": "Chỉ mục ở {value} đang được một tiến trình khác cập nhật; hãy thử lại khi nó xong, "
              "hoặc cho {field} số giây chờ",
        "en": "the index at {value} is being updated by another process; try again when it finishes, "
              "or give {field} a number of seconds to wait",
    },
    "index.changing": {
        "vi": "Chỉ mục ở {value} đổi liên tục trong lúc đọc ({runs} lần đọc, lần nào cũng gặp một lần ghi "
              "mới của tiến trình khác); chỉ mục không hỏng, hãy thử lại sau giây lát",
        "en": "the index at {value} kept changing while it was read ({runs} runs, each met a new commit "
              "of another process); it is not damaged: try again in a moment",
    },
    "storage.failed": {
        "vi": "Không ghi được chỉ mục ở {value}: {problem}{file}{free}. Chỉ mục giữ lần ghi cuối, phần lần "
              "chạy này đã ghi được dọn đi; hãy giải phóng chỗ (hoặc sửa đĩa) rồi chạy lại đúng lệnh đó",
        "en": "cannot write the index at {value}: {problem}{file}{free}. The index keeps its last commit and "
              "what this run had written was removed; make room (or fix the disk) and run the same command again",
    },
    "storage.failed_after": {
        "vi": "Không ghi được chỉ mục ở {value}: {problem}{file}{free}. {committed}; hãy giải phóng chỗ (hoặc "
              "sửa đĩa) rồi chạy lại đúng lệnh đó: nó làm tiếp từ sau các lô ấy",
        "en": "cannot write the index at {value}: {problem}{file}{free}. {committed}; make room (or fix the disk) "
              "and run the same command again, which resumes after them",
    },
    "storage.no_lock": {
        "vi": "Không khóa được chỉ mục để ghi: Python này không có fcntl (POSIX) lẫn msvcrt (Windows); hãy lập "
              "chỉ mục trên Linux, macOS hoặc Windows rồi tìm trên chỉ mục đó ở đây",
        "en": "cannot lock the index for writing: this Python has neither fcntl (POSIX) nor msvcrt (Windows); "
              "index on Linux, macOS or Windows, then search the index here",
    },
    "index.bad_marker": {
        "vi": "Tệp đánh dấu chỉ mục {value} bị hỏng hoặc không đọc được (không ghi phiên bản lược đồ); hãy dựng "
              "lại: {command} (CORPUS: các thư mục hay tệp đã dùng để dựng; mặc định ./corpus)",
        "en": "the index's marker {value} is damaged or unreadable (it names no schema version); rebuild the "
              "index with: {command} (CORPUS: the folders or files it was built from; ./corpus when left out)",
    },
    "index.damaged_file": {
        "vi": "{problem}: chỉ mục ở {value} bị hỏng; xem còn gì hỏng bằng: {check}; sửa bằng: {command}",
        "en": "{problem}: the index at {value} is damaged; see what else is with: {check}; repair it with: {command}",
    },
    "corpus.unreadable": {
        "vi": "{value}: không đọc được ({reason}); hãy cho phép đọc (hoặc gắn ổ) rồi chạy lại đúng lệnh đó",
        "en": "{value}: cannot be read ({reason}); make it readable (or mount it) and run the same command again",
    },
    "corpus.mass_removal": {
        "vi": "Lần đồng bộ này sẽ xoá {value:,} trong {total:,} bài của chỉ mục, vì tệp của chúng không còn trong "
              "{roots:list}: quá một nửa, nên chưa xoá gì{indexed}. Nếu ổ đĩa hay thư mục mạng chứa chúng chưa "
              "được gắn, hãy gắn rồi đồng bộ lại; nếu các tệp bị xoá có chủ ý, hãy chạy lại lệnh với {field}",
        "en": "this sync would remove {value:,} of the {total:,} articles in the index, whose files are gone from "
              "{roots:list}: more than half, so nothing was removed{indexed}. If a drive or network folder holding "
              "them is not mounted, mount it and sync again; if the files were deleted on purpose, run the same "
              "command with {field}",
    },
    "platform.start_method": {
        "vi": "{field}={value!r} không phải cách khởi động tiến trình của nền tảng này; hãy dùng một trong "
              "{choices:list}, hoặc bỏ biến đó",
        "en": "{field}={value!r} is not a start method of this platform; use one of {choices:list}, or unset it",
    },
    "abbreviations.unreadable": {
        "vi": "Không đọc được tệp viết tắt {value}: {reason}",
        "en": "cannot read the abbreviations file {value}: {reason}",
    },
    "server.timeout": {
        "vi": "Máy chủ không trả lời kịp trong {seconds:g} giây (đang bận); hãy thử lại sau giây lát",
        "en": "the server could not answer within {seconds:g} seconds (it is busy); try again in a moment",
    },
    "serve.cache_size": {
        "vi": "{field}={value!r} không phải một số megabyte; hãy đặt một số như 32 (0 thì tắt bộ nhớ đệm câu "
              "trả lời), hoặc bỏ biến đó",
        "en": "{field}={value!r} is not a number of megabytes; set a number such as 32 (0 turns the answer "
              "cache off), or unset it",
    },
    "server.busy": {
        "vi": "Máy chủ đang có {waiting} tìm kiếm chờ lượt; hãy thử lại sau giây lát",
        "en": "the server has {waiting} searches waiting for their turn already; try again in a moment",
    },
    "abbreviations.not_a_file": {
        "vi": "Tệp viết tắt {value} là {what}, không phải tệp thường; hãy đưa một tệp văn bản "
              "(mỗi dòng 'VIẾT TẮT<TAB>dạng đầy đủ', UTF-8)",
        "en": "the abbreviations file {value} is a {what}, not a regular file; give a text file "
              "(one 'ABBREVIATION<TAB>expansion' a line, UTF-8)",
    },
    "abbreviations.too_large": {
        "vi": "Tệp viết tắt {value} có {size:,} byte; searchkit đọc tối đa {limit:,} byte: "
              "hãy tách riêng các chữ viết tắt cần dùng",
        "en": "the abbreviations file {value} holds {size:,} bytes; searchkit reads at most {limit:,}: "
              "keep the abbreviations you need in a smaller file",
    },
    "abbreviations.malformed": {
        "vi": "{reason}; hãy sửa tệp (mỗi dòng 'VIẾT TẮT<TAB>dạng đầy đủ', UTF-8)",
        "en": "{reason}; fix the file (one 'ABBREVIATION<TAB>expansion' a line, UTF-8)",
    },
    # --- what to index --------------------------------------------------------------------
    "corpus.not_utf8": {
        "vi": "{value}: đường dẫn không phải UTF-8 hợp lệ; hãy đổi tên (ví dụ bằng convmv) rồi thử lại",
        "en": "{value}: the path is not valid UTF-8; rename it (e.g. with convmv) and try again",
    },
    "corpus.missing": {
        "vi": "{value}: không có tệp hay thư mục này; hãy đưa một thư mục bài viết (.txt, .jsonl, .html, .md) "
              "hoặc các tệp như thế",
        "en": "{value}: no such file or directory; give a folder of articles (.txt, .jsonl, .html, .md) "
              "or such files",
    },
    "corpus.special": {
        "vi": "{value} là tệp đặc biệt ({type}), không phải tệp thường; hãy lưu nội dung của nó vào một tệp .jsonl hoặc .txt trước",
        "en": "{value} is {type}, not a file; save what it holds to a .jsonl or .txt file first",
    },
    "corpus.unsupported": {
        "vi": "{value}: searchkit không đọc tệp {suffix}; hãy đưa bài viết .txt, .jsonl (mỗi dòng một đối "
              "tượng JSON), .html hoặc .md",
        "en": "{value}: searchkit does not read {suffix} files; give .txt, .jsonl (one JSON object a line), "
              ".html or .md articles",
    },
    "corpus.json_file": {
        "vi": "{value}: searchkit không đọc tệp {suffix}; hãy đưa bài viết .txt, .jsonl (mỗi dòng một đối "
              "tượng JSON), .html hoặc .md (mảng .json đổi được bằng: jq -c '.[]' FILE > FILE.jsonl)",
        "en": "{value}: searchkit does not read {suffix} files; give .txt, .jsonl (one JSON object a line), "
              ".html or .md articles (a .json array converts with: jq -c '.[]' FILE > FILE.jsonl)",
    },
    "corpus.no_extension": {
        "vi": "{value}: searchkit không đọc tệp không có đuôi; hãy đưa bài viết .txt, .jsonl (mỗi dòng một "
              "đối tượng JSON), .html hoặc .md",
        "en": "{value}: searchkit does not read extension-less files; give .txt, .jsonl (one JSON object a "
              "line), .html or .md articles",
    },
    # --- search backends ------------------------------------------------------------------
    "backend.empty": {
        "vi": "Địa chỉ backend trống; hãy viết dạng {example}",
        "en": "the backend URL is empty; write it as {example}",
    },
    "backend.not_a_url": {
        "vi": "backend {value}: không phải địa chỉ backend; hãy viết dạng {example}",
        "en": "backend {value}: not a backend URL; write it as {example}",
    },
    "backend.unknown_scheme": {
        "vi": "backend {value}: không biết loại {scheme!r}; searchkit biết {schemes:list} (ví dụ {example})",
        "en": "backend {value}: unknown kind {scheme!r}; searchkit knows {schemes:list} (e.g. {example})",
    },
    "backend.no_key": {
        "vi": "backend {value}: thiếu API key; hãy đặt nó trước các nút: {example}",
        "en": "backend {value}: no API key; put it before the nodes: {example}",
    },
    "backend.no_node": {
        "vi": "backend {value}: không có nút nào; hãy liệt kê dạng HOST:PORT[,HOST:PORT…], ví dụ {example}",
        "en": "backend {value}: no node; list them as HOST:PORT[,HOST:PORT…], e.g. {example}",
    },
    "backend.bad_collection": {
        "vi": "backend {value}: tên collection {collection!r} phải gồm 1–64 chữ cái, chữ số, '_' hoặc '-' "
              "sau dấu '/' cuối, ví dụ {example}",
        "en": "backend {value}: the collection name {collection!r} must be 1–64 letters, digits, '_' or '-' "
              "after the last '/', e.g. {example}",
    },
    "backend.no_port": {
        "vi": "backend {value}: nút {node!r} thiếu cổng; hãy viết HOST:PORT, ví dụ {example}",
        "en": "backend {value}: node {node!r} has no port; write HOST:PORT, e.g. {example}",
    },
    "backend.bad_node": {
        "vi": "backend {value}: nút {node!r} không phải HOST:PORT với cổng từ 1 đến 65535",
        "en": "backend {value}: node {node!r} is not HOST:PORT with a port from 1 to 65535",
    },
    "backend.no_client": {
        "vi": "Backend Typesense cần thư viện của nó: {command}",
        "en": "the Typesense backend needs its client: {command}",
    },
    "backend.no_collection": {
        "vi": "Không có collection {collection!r} trên {value} ({problem}); hãy tạo bằng: {command}",
        "en": "no collection {collection!r} on {value} ({problem}); create it with: {command}",
    },
    "backend.bad_key": {
        "vi": "{value} từ chối API key ({action}); hãy kiểm tra key trong địa chỉ",
        "en": "{value} refuses the API key ({action}); check the key in the URL",
    },
    "backend.unreachable": {
        "vi": "{value} không {action} được ({problem}); hãy kiểm tra các nút đang chạy và đa số chúng còn hoạt động",
        "en": "{value} cannot {action} ({problem}); check that the nodes run and that a majority of them is up",
    },
    "backend.search_failed": {
        "vi": "{value} không tìm được: {problem}",
        "en": "{value} cannot search: {problem}",
    },
    "backend.not_taken": {
        "vi": "{value} không nhận {count} bài trong {seconds:.0f} giây ({problem}); phần đã gửi trước đó được "
              "giữ: chạy lại đúng lần đồng bộ đó để làm tiếp",
        "en": "{value} did not take {count} articles for {seconds:.0f}s ({problem}); what was sent before is "
              "kept: run the same sync again to resume",
    },
    "backend.foreign_collection": {
        "vi": "Collection {collection!r} trên {value} không do searchkit này tạo; hãy dựng lại: {command}",
        "en": "the collection {collection!r} on {value} was not made by this searchkit; rebuild it with: {command}",
    },
    "backend.no_restore": {
        "vi": "Khôi phục dấu cần thống kê chính tả của chỉ mục cục bộ; hãy chạy trên chỉ mục cục bộ "
              "(không dùng {field})",
        "en": "restoring accents needs the local index's spelling statistics; run it on a local index "
              "(without {field})",
    },
    "backend.no_optimize": {
        "vi": "optimize chỉ dành cho chỉ mục cục bộ: Typesense tự thu gọn kho của nó",
        "en": "optimize is for the local index: Typesense compacts its own storage",
    },
    # --- the parameters of a search, as a page's form names them -----------------------------
    "field.query": {"vi": "Từ khóa", "en": "Search words"},
    "field.since": {"vi": "Từ ngày", "en": "From"},
    "field.until": {"vi": "Đến ngày", "en": "Until"},
    "field.province": {"vi": "Tỉnh/thành", "en": "Province"},
    "field.source": {"vi": "Nguồn", "en": "Source"},
    "field.category": {"vi": "Chuyên mục", "en": "Category"},
    "field.tag": {"vi": "Thẻ", "en": "Tag"},
    "field.mentions": {"vi": "Có nhắc tới", "en": "Mentions"},
    "field.sort": {"vi": "Sắp xếp", "en": "Sort"},
    "field.limit": {"vi": "Số kết quả mỗi trang", "en": "Results per page"},
    "field.offset": {"vi": "Vị trí bắt đầu", "en": "Start at"},
    "field.facets": {"vi": "Thống kê", "en": "Facets"},
    # --- the command line ---------------------------------------------------------------
    "cli.interrupted": {
        "vi": "Đã ngắt; chỉ mục giữ trạng thái đã ghi gần nhất",
        "en": "interrupted; the index keeps its last committed state",
    },
    "cli.internal_error": {
        "vi": "lỗi nội bộ (lỗi của searchkit, không phải của dữ liệu bạn đưa); hãy báo lỗi kèm các dòng trên",
        "en": "internal error (a bug, not your input); please report it with the lines above",
    },
    "cli.index_report": {
        "vi": "{added} thêm, {updated} cập nhật, {removed} xoá, {unchanged} không đổi, {skipped} bỏ qua "
              "trong {seconds:.1f} giây ({total} bài trong {index})",
        "en": "{added} added, {updated} updated, {removed} removed, {unchanged} unchanged, {skipped} skipped "
              "in {seconds:.1f}s ({total} articles in {index})",
    },
    "cli.skipped": {"vi": "bỏ qua {entry}", "en": "skipped {entry}"},
    # why an input was skipped (models.Skipped.kind): the report's lines in the user's language
    "skip.empty_file": {"vi": "tệp rỗng (0 byte)", "en": "empty file (0 bytes)"},
    "skip.no_records": {
        "vi": "tệp rỗng (không có bản ghi nào, chỉ có dòng trống)",
        "en": "empty file (no records, only blank lines)",
    },
    "skip.article_too_large": {
        "vi": "bài lớn hơn {limit} MB ({size} MB)",
        "en": "article larger than {limit} MB ({size} MB)",
    },
    "skip.record_too_large": {"vi": "bản ghi lớn hơn {limit} MB", "en": "record larger than {limit} MB"},
    "skip.not_json": {"vi": "không phải JSON hợp lệ ({problem})", "en": "not valid JSON ({problem})"},
    "skip.nested": {
        "vi": "JSON lồng quá sâu (mỗi bản ghi là một đối tượng phẳng: id, title, body…)",
        "en": "JSON nested too deeply (a record is one flat object: id, title, body…)",
    },
    "skip.duplicate_id": {
        "vi": "trùng id {id!r}: {first} có cùng id và được giữ; hãy đặt id khác cho một trong hai "
              "(id của tệp .txt, .html hay .md là đường dẫn của nó trong thư mục được lập chỉ mục)",
        "en": "duplicate id {id!r}: {first} has the same id and is kept; give one of them another id "
              "(a .txt, .html or .md file's id is its path inside the folder indexed)",
    },
    "skip.broken_link": {
        "vi": "liên kết tượng trưng hỏng: đích {target} không tồn tại",
        "en": "broken symbolic link: its target {target} does not exist",
    },
    "skip.link_loop": {
        "vi": "liên kết tượng trưng vòng: {target} dẫn ngược về chính liên kết này nên không tới tệp nào; "
              "hãy trỏ nó tới một tệp hay thư mục, hoặc xoá nó",
        "en": "symbolic link loop: {target} leads back to this link, so it leads to no file; point the "
              "link at a file or folder, or remove it",
    },
    "cli.building": {
        "vi": "Chưa có chỉ mục ở {index}/: đang dựng từ {corpus}/ …",
        "en": "No index in {index}/ yet: building it from {corpus}/ …",
    },
    "cli.built": {
        "vi": "Đã lập chỉ mục {total} bài trong {seconds:.1f} giây.",
        "en": "Indexed {total} articles in {seconds:.1f}s.",
    },
    "cli.optimized": {
        "vi": "Đã ghi lại {rewritten} bài; {segments} phân đoạn trong {index} ({seconds:.1f} giây)",
        "en": "{rewritten} articles rewritten; {segments} segment(s) in {index} ({seconds:.1f}s)",
    },
    "cli.check_clean": {
        "vi": "{index}: {segments} phân đoạn, {articles} bài: không hỏng",
        "en": "{index}: {segments} segments, {articles} articles: no damage",
    },
    "cli.check_damaged": {"vi": "hỏng: {problem}", "en": "damaged: {problem}"},
    "cli.check_rebuild": {
        "vi": "hãy sửa bằng: searchkit check --repair --index {index} (bỏ các phân đoạn hỏng, đánh chỉ mục "
              "lại bài của chúng từ kho bài), hoặc dựng lại: searchkit index --rebuild --index {index} CORPUS",
        "en": "repair it with: searchkit check --repair --index {index} (drops the damaged segments and "
              "re-indexes their articles from the corpus), or rebuild it: searchkit index --rebuild --index {index} CORPUS",
    },
    "cli.check_note": {"vi": "lưu ý: {note}", "en": "note: {note}"},
    "cli.repaired": {
        "vi": "Đã sửa {index}: bỏ {dropped} phân đoạn hỏng ({lost} bài), đánh chỉ mục lại {restored} bài; "
              "{missing} bài không khôi phục được",
        "en": "Repaired {index}: {dropped} damaged segment(s) dropped ({lost} articles), {restored} articles "
              "re-indexed; {missing} could not be restored",
    },
    "cli.not_restored": {"vi": "không khôi phục được: {id}", "en": "not restored: {id}"},
    "cli.no_manifest": {
        "vi": "không có cho lần ghi này (lần `searchkit index` tới sẽ ghi)",
        "en": "none for this commit (the next `searchkit index` writes it)",
    },
    "cli.listening": {
        "vi": "đang nghe trên {host}: máy khác cũng truy cập được máy chủ này",
        "en": "listening on {host}: other machines can reach this server",
    },
    "cli.serving": {
        "vi": "Đang phục vụ {index} tại {url} (Ctrl-C để dừng)",
        "en": "Serving {index} on {url} (Ctrl-C stops)",
    },
    "progress.line": {
        "vi": "{done}/{total} bài xong · {rate:,.0f}/giây · còn {eta}",
        "en": "{done}/{total} articles done · {rate:,.0f}/s · ETA {eta}",
    },
    # --- results, facets and explanations (render.py) ---------------------------------------
    "cli.no_results": {
        "vi": 'Không tìm thấy kết quả cho "{query}".',
        "en": 'No results for "{query}".',
    },
    "results.none_after": {
        "vi": 'Không còn kết quả cho "{query}" sau {offset} kết quả đầu.',
        "en": 'No results for "{query}" after the first {offset}.',
    },
    "results.one": {"vi": '1 kết quả cho "{query}"', "en": '1 result for "{query}"'},
    "results.many": {"vi": '{total} kết quả cho "{query}"', "en": '{total} results for "{query}"'},
    "results.complete": {"vi": " ({complete} bài có đủ mọi từ)", "en": " ({complete} with every word)"},
    "results.showing": {"vi": ", hiển thị {first}–{last}", "en": ", showing {first}–{last}"},
    "results.corrected": {
        "vi": 'Không có kết quả cho "{query}"; đã tìm: {searched}',
        "en": 'No results for "{query}"; searched instead: {searched}',
    },
    "results.searched": {"vi": "Đã tìm: {searched}", "en": "Searched: {searched}"},
    "results.suggestion": {"vi": "Có phải bạn muốn tìm: {suggestion}", "en": "Did you mean: {suggestion}"},
    "results.filtered_empty": {
        "vi": "0 kết quả với {filters}; {without} nếu bỏ bộ lọc",
        "en": "0 results with {filters}; {without} without",
    },
    "render.no_title": {"vi": "(không có tiêu đề)", "en": "(no title)"},
    "render.score": {"vi": "điểm {score:.2f}", "en": "score {score:.2f}"},
    "facet.province": {"vi": "Tỉnh/thành", "en": "Province"},
    "facet.year": {"vi": "Năm", "en": "Year"},
    "facet.source": {"vi": "Nguồn", "en": "Source"},
    "facet.category": {"vi": "Chuyên mục", "en": "Category"},
    "facet.tag": {"vi": "Thẻ", "en": "Tag"},
    "facet.mentions": {"vi": "Tỉnh/thành được nhắc tới", "en": "Provinces mentioned"},
    "facet.more": {"vi": "… thêm {count}", "en": "… {count} more"},
    "explain.query": {"vi": "Truy vấn: {query}", "en": "Query: {query}"},
    "explain.required": {"vi": "bắt buộc", "en": "required"},
    "explain.optional": {"vi": "tùy chọn", "en": "optional"},
    "explain.excluded": {"vi": "loại trừ", "en": "excluded"},
    "explain.side_by_side": {"vi": "liền nhau", "en": "side by side"},
    "explain.compounds": {"vi": "từ ghép", "en": "compounds"},
    "explain.dropped": {"vi": "bỏ qua (câu dài)", "en": "dropped (long question)"},
    "explain.names": {
        "vi": "tên riêng (chỉ tính trọn khi liền nhau)",
        "en": "names (count in full only side by side)",
    },
    "explain.accents": {"vi": "dấu", "en": "accents"},
    "explain.weights": {"vi": "trọng số (idf)", "en": "weights (idf)"},
    "explain.exact": {"vi": "đúng dấu", "en": "accents as typed"},
    "explain.plain": {"vi": "không dấu, đúng như gõ", "en": "unaccented, as typed"},
    "explain.any": {"vi": "mọi dấu", "en": "any accents"},
    "explain.fallback": {
        "vi": "hiếm hoặc không có trong chỉ mục: tìm không dấu",
        "en": "rare or absent in the index: searched without accents",
    },
    # --- the web pages (searchkit/web/templates): HTML-safe text, data escaped by the page ------
    "web.brand_tagline": {"vi": "tìm tin công nghệ thông tin", "en": "Vietnamese ICT news search"},
    "web.title": {"vi": "Tìm tin CNTT", "en": "ICT news search"},
    "web.heading": {"vi": "Tìm tin công nghệ thông tin", "en": "Search Vietnamese ICT news"},
    "web.skip": {"vi": "Bỏ qua, đến nội dung chính", "en": "Skip to the main content"},
    "web.switch": {"vi": "English", "en": "Tiếng Việt"},
    "web.switch_label": {"vi": "Switch to English", "en": "Chuyển sang tiếng Việt"},
    "web.typing": {
        "vi": "Gõ có dấu hay không dấu đều được; gõ kiểu Telex/VNI và viết tắt cũng hiểu:",
        "en": "Accents are optional; Telex/VNI typing and abbreviations are understood:",
    },
    "web.syntax": {"vi": "Cú pháp:", "en": "Syntax:"},
    "web.syntax_phrase": {"vi": "\"cụm từ\"", "en": "\"a phrase\""},
    "web.syntax_exclude": {"vi": "-loại trừ", "en": "-excluded"},
    "web.syntax_title": {"vi": "title:từ", "en": "title:word"},
    "web.api_docs": {"vi": "Tài liệu API", "en": "API documentation"},
    "web.search_label": {"vi": "Tìm bài viết", "en": "Search the articles"},
    "web.search_placeholder": {"vi": "Tìm bài viết, ví dụ: trạm BTS", "en": "Search the articles, e.g. trạm BTS"},
    "web.search_button": {"vi": "Tìm", "en": "Search"},
    "web.search_hint": {
        "vi": "Gợi ý hiện ra khi bạn gõ: phím mũi tên để chọn, Enter để tìm, Esc để đóng.",
        "en": "Suggestions appear as you type: arrow keys to choose, Enter to search, Esc to close.",
    },
    "web.suggestions": {"vi": "Gợi ý", "en": "Suggestions"},
    "web.filters": {"vi": "Bộ lọc và sắp xếp", "en": "Filters and sorting"},
    "web.facet.year": {"vi": "Năm", "en": "Year"},
    "web.sort.relevance": {"vi": "Liên quan nhất", "en": "Most relevant"},
    "web.sort.date": {"vi": "Mới nhất", "en": "Newest"},
    "web.example": {"vi": "ví dụ: {value}", "en": "e.g. {value}"},
    "web.placeholder.province": {"vi": "tên tỉnh, có dấu hay không", "en": "a province, accents optional"},
    "web.placeholder.source": {"vi": "tên nguồn tin", "en": "a source's name"},
    "web.placeholder.category": {"vi": "tên chuyên mục", "en": "a category's name"},
    "web.placeholder.tag": {"vi": "một thẻ, ví dụ 5G", "en": "a tag, e.g. 5G"},
    "web.placeholder.mentions": {"vi": "tỉnh được nhắc tới, có dấu hay không", "en": "a province named, accents optional"},
    "web.apply": {"vi": "Áp dụng", "en": "Apply"},
    "web.searching_in": {"vi": "Tìm trong {count} bài viết.", "en": "Searching {count} articles."},
    "web.results_heading": {"vi": "Kết quả tìm «{query}»", "en": "Results for «{query}»"},
    "web.found": {"vi": "Tìm thấy {count} bài cho «{query}»", "en": "Found {count} articles for «{query}»"},
    "web.showing": {"vi": ", đang xem {first}–{last}", "en": ", showing {first}–{last}"},
    "web.took": {"vi": "trong {seconds} giây", "en": "in {seconds} s"},
    "web.none": {"vi": "Không tìm thấy bài nào cho «{query}»", "en": "No article found for «{query}»"},
    "web.searched": {"vi": "Đã tìm:", "en": "Searched for:"},
    "web.did_you_mean": {"vi": "Có phải bạn muốn tìm:", "en": "Did you mean:"},
    "web.active": {"vi": "Bộ lọc đang dùng", "en": "Filters in use"},
    "web.remove": {"vi": "bỏ lọc ×", "en": "remove ×"},
    "web.remove_label": {"vi": "Bỏ lọc {label} {value}", "en": "Remove the filter {label} {value}"},
    "web.results": {"vi": "Kết quả", "en": "Results"},
    "web.untitled": {"vi": "(không có tiêu đề)", "en": "(untitled)"},
    "web.tips": {
        "vi": "Gợi ý: bớt từ, bỏ bộ lọc, hoặc thử cách viết khác.",
        "en": "Try fewer words, fewer filters, or another spelling.",
    },
    "web.pages": {"vi": "Phân trang", "en": "Pages"},
    "web.previous": {"vi": "← Trang trước", "en": "← Previous"},
    "web.next": {"vi": "Trang sau →", "en": "Next →"},
    "web.page_of": {"vi": "Trang {page}/{pages}", "en": "Page {page} of {pages}"},
    "web.page": {"vi": "Trang {page}", "en": "Page {page}"},
    "web.narrow": {"vi": "Thu hẹp kết quả", "en": "Narrow the results"},
    "web.more_values": {"vi": "… và {count} mục khác", "en": "… and {count} more"},
    "web.back": {"vi": "← Kết quả tìm «{query}»", "en": "← Results for «{query}»"},
    "web.matches": {
        "vi": "{count} chỗ khớp với «{query}» được tô sáng",
        "en": "{count} matches of «{query}» highlighted",
    },
    "web.first_match": {"vi": "đến chỗ khớp đầu tiên", "en": "go to the first match"},
    "web.original": {"vi": "Xem bài gốc", "en": "Read the original"},
    "web.error.title": {"vi": "Lỗi {status}", "en": "Error {status}"},
    "web.error.400": {"vi": "Chưa tìm được", "en": "Cannot search yet"},
    "web.error.400.text": {
        "vi": "Câu tìm kiếm hoặc bộ lọc chưa dùng được. Hãy sửa lại rồi tìm lần nữa.",
        "en": "The search or a filter cannot be used as it is. Correct it and search again.",
    },
    "web.error.404": {"vi": "Không có trang này", "en": "No such page"},
    "web.error.404.text": {
        "vi": "Không tìm thấy bài viết hoặc trang bạn cần. Bài có thể đã bị gỡ khỏi chỉ mục.",
        "en": "The article or page was not found. It may have been removed from the index.",
    },
    "web.error.503": {"vi": "Chưa sẵn sàng", "en": "Not ready"},
    "web.error.503.text": {
        "vi": "Máy chủ chưa mở được chỉ mục tìm kiếm. Hãy thử lại sau ít phút.",
        "en": "The server cannot open its search index yet. Try again in a few minutes.",
    },
    "web.error.500": {"vi": "Có lỗi xảy ra", "en": "Something went wrong"},
    "web.error.500.text": {
        "vi": "Máy chủ gặp lỗi khi xử lý yêu cầu này. Hãy thử lại.",
        "en": "The server failed on this request. Try again.",
    },
    "web.error.detail": {"vi": "Chi tiết:", "en": "Details:"},
    "web.error.home": {"vi": "Về trang tìm kiếm", "en": "Back to the search"},
    "web.docs.title": {"vi": "Tài liệu API JSON", "en": "JSON API documentation"},
    "web.docs.intro": {
        "vi": "Mọi tìm kiếm của trang này cũng có ở dạng JSON. Mô tả OpenAPI đầy đủ:",
        "en": "Every search of this page is also available as JSON. The whole OpenAPI description:",
    },
    "web.docs.parameters": {"vi": "Tham số", "en": "Parameters"},
    "web.docs.responses": {"vi": "Phản hồi", "en": "Responses"},
    "web.docs.schemas": {"vi": "Kiểu dữ liệu", "en": "Schemas"},
    "web.docs.name": {"vi": "Tên", "en": "Name"},
    "web.docs.where": {"vi": "Ở đâu", "en": "In"},
    "web.docs.type": {"vi": "Kiểu", "en": "Type"},
    "web.docs.description": {"vi": "Mô tả", "en": "Description"},
    "web.docs.required": {"vi": "bắt buộc", "en": "required"},
    "web.docs.example": {"vi": "Ví dụ", "en": "Example"},
    "web.docs.status": {"vi": "Mã", "en": "Status"},
}

_OR = {"vi": "hoặc", "en": "or"}


class _Formatter(string.Formatter):
    """str.format with list specs (`list`, `or`, `qlist`, `qor`) and '…' for missing data."""

    def __init__(self, lang: str):
        self.lang = lang

    def get_value(self, key, args, kwargs):
        if isinstance(key, str) and f"{key}_{self.lang}" in kwargs:  # data worded per language: what_vi
            return kwargs[f"{key}_{self.lang}"]
        try:
            return super().get_value(key, args, kwargs)
        except (KeyError, IndexError):  # a message with a hole beats no message
            return "…"

    def format_field(self, value: Any, spec: str) -> str:
        if spec in ("list", "or", "qlist", "qor"):
            items = [repr(v) if spec[0] == "q" else str(v) for v in (value or ())]
            if spec.endswith("or") and len(items) > 1:
                return f"{', '.join(items[:-1])} {_OR.get(self.lang, 'or')} {items[-1]}"
            return ", ".join(items) or "—"
        if value == "…" and spec:
            return value
        return super().format_field(value, spec)


def say(key: str, lang: str = "vi", /, **data: Any) -> str:
    """The message `key` in `lang` (else Vietnamese, else the key itself), filled with `data`.

    >>> say("index.busy", "vi", value="index", field="--wait")
    'Chỉ mục ở index đang được một tiến trình khác cập nhật; hãy thử lại khi nó xong, hoặc cho --wait số giây chờ'
    >>> say("no.such.key", "en")
    'no.such.key'
    """
    entry = CATALOGUE.get(key)
    if entry is None:
        return key
    template = entry.get(lang) or entry.get("vi") or key
    return _Formatter(lang).vformat(template, (), data)


def language(explicit: str | None = None) -> str:
    """The language to speak: `explicit`, else $SEARCHKIT_LANG, else Vietnamese when the locale
    ($LC_ALL, else $LANG) is Vietnamese, else English.

    >>> language("vi"), language("EN")
    ('vi', 'en')
    """
    for wanted in (explicit, os.environ.get("SEARCHKIT_LANG")):
        code = (wanted or "").strip().lower()[:2]
        if code in LANGUAGES:
            return code
    locale = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return "vi" if locale.lower().startswith("vi") else "en"


def error_message(error: Any, lang: str = "vi", /, names: Mapping[str, str] | None = None) -> str:
    """A searchkit error worded in `lang`; `names` says how this interface names the fields
    (the command line: {"since": "--since"}). An error without a catalogue entry keeps its own
    English message.

    >>> from searchkit.errors import FilterError
    >>> error = FilterError(kind="filter.no_letters", field="source", value="...")
    >>> error_message(error, "vi", {"source": "--source"})
    "--source: '...' không có chữ cái hay chữ số nào để so khớp"
    >>> str(error)
    "source: '...' has no letters or digits to match"
    """
    kind = getattr(error, "kind", None)
    if kind not in CATALOGUE:
        return str(error)
    data = dict(error.data())
    names = names or {}
    for key in ("field", "other"):
        if data.get(key) in names:
            data[key] = names[data[key]]
    if f"facet.{data.get('name')}" in CATALOGUE:  # 'no article has source …': the facet's own word
        data["name"] = say(f"facet.{data['name']}", lang).lower()
    return say(kind, lang, **data)
