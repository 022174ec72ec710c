"""Tests for quanyu_nlp.frameworks: the codebook format, its errors, built-ins and export."""

from __future__ import annotations

import textwrap

import pytest

from quanyu_nlp.errors import FrameworkError, QuanyuError
from quanyu_nlp.frameworks import (Category, Dimension, Framework, framework_to_markdown,
                                   framework_to_xlsx, list_frameworks, load_framework)

# A small codebook a reader can check by eye; error cases are edits of it.
MINI = textwrap.dedent('''\
    name = "mini"
    title = "迷你框架"
    version = "1.0"
    citation = "张三. 测试用编码框架[Z]. 2024."
    description = "只用于测试。"
    language = "zh"

    [[dimensions]]
    id = "leadership"
    label = "引领"
    description = "单元描述的引领类型。"
    tie_breaks = ["同时提到两类时，按主要动词判断。"]
    negative_exemplars = ["今天全市天气晴朗。", "全年粮食产量稳定。"]

    [[dimensions.categories]]
    id = "political"
    label = "政治引领"
    definition = """把政治建设放在首位，
    用党的创新理论武装头脑。"""
    include = ["理论学习", "主题教育"]
    exclude = ["只讲处分的通报"]
    seed_terms = ["政治建设", "理论学习"]   # a comment with a [bracket
    exemplars = ["支部组织党员集中学习党的创新理论。"]

    [[dimensions.categories]]
    id = "organisational"
    label = "组织引领"
    definition = "建立和健全党的组织。"
    seed_terms = [
      "联合党委",
      "党建联合体",
    ]
    exemplars = ["街道牵头成立了商圈联合党委。"]

    [[dimensions]]
    id = "results"
    label = "成效"

    [[dimensions.categories]]
    id = "service"
    label = "乘务员"
    definition = "群众得到实际好处。"
    seed_terms = ["获得感"]
    ''')


def write(tmp_path, text, name="codebook.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text, needle, nth=1):
    """1-based line number of the nth line containing ``needle``."""
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[nth - 1]


def expect_error(tmp_path, text, line, key, name="bad.toml"):
    path = write(tmp_path, text, name)
    with pytest.raises(FrameworkError) as info:
        load_framework(path)
    msg = str(info.value)
    assert name in msg
    assert f"line {line}" in msg, msg
    assert key in msg, msg
    assert "\n" not in msg
    assert ";" in msg  # a fix follows the problem
    return msg


# --- loading a valid file ------------------------------------------------------------------

def test_mini_loads(tmp_path):
    fw = load_framework(write(tmp_path, MINI))
    assert isinstance(fw, Framework)
    assert (fw.name, fw.title, fw.version, fw.language) == ("mini", "迷你框架", "1.0", "zh")
    assert fw.dimension_ids == ["leadership", "results"]
    lead = fw.dimension("leadership")
    assert isinstance(lead, Dimension) and lead.none_label == "无" and not lead.multi_label
    assert fw.labels("leadership") == ["政治引领", "组织引领", "无"]
    pol = lead.category("political")
    assert isinstance(pol, Category)
    assert pol is lead.category("政治引领")
    assert pol.definition.startswith("把政治建设放在首位")
    assert pol.seed_terms == ("政治建设", "理论学习")
    assert lead.category("organisational").seed_terms == ("联合党委", "党建联合体")
    assert fw.dimension("results").categories[0].exemplars == ()
    assert fw.source == (tmp_path / "codebook.toml").resolve()


def test_objects_are_frozen(tmp_path):
    fw = load_framework(write(tmp_path, MINI))
    with pytest.raises(AttributeError):
        fw.name = "other"
    with pytest.raises(AttributeError):
        fw.dimensions[0].categories[0].label = "x"


def test_hash_depends_on_content_not_path_or_layout(tmp_path):
    a = load_framework(write(tmp_path, MINI, "a.toml"))
    b = load_framework(write(tmp_path, "# same content, another file\n" + MINI, "b.toml"))
    assert a.hash == b.hash and len(a.hash) == 64
    c = load_framework(write(tmp_path, MINI.replace("获得感", "幸福感"), "c.toml"))
    assert c.hash != a.hash


def test_to_dict_round_trip(tmp_path):
    fw = load_framework(write(tmp_path, MINI))
    again = Framework.from_dict(fw.to_dict())
    assert again == fw and again.hash == fw.hash


def test_unknown_dimension_and_category_list_known(tmp_path):
    fw = load_framework(write(tmp_path, MINI))
    with pytest.raises(FrameworkError, match="leadership, results") as info:
        fw.dimension("leadershp")
    assert "did you mean 'leadership'" in str(info.value)
    with pytest.raises(FrameworkError, match="political"):
        fw.dimension("leadership").category("政治")


def test_load_framework_passes_framework_through(tmp_path):
    fw = load_framework(write(tmp_path, MINI))
    assert load_framework(fw) is fw


# --- errors: one line, file, line number, key, fix ---------------------------------------

def test_error_unknown_key_suggests_closest(tmp_path):
    bad = MINI.replace('exemplars = ["街道', 'seed_term = ["x"]\nexemplars = ["街道')
    msg = expect_error(tmp_path, bad, line_of(bad, "seed_term = "), "seed_term")
    assert "did you mean 'seed_terms'" in msg
    assert "organisational" in msg


def test_error_unknown_top_level_key(tmp_path):
    bad = MINI.replace('version = "1.0"', 'version = "1.0"\nauthor = "李四"')
    msg = expect_error(tmp_path, bad, 4, "author")
    assert "known keys" in msg or "did you mean" in msg


def test_error_unknown_dimension_key(tmp_path):
    bad = MINI.replace('label = "成效"', 'label = "成效"\nnone_lable = "无"')
    msg = expect_error(tmp_path, bad, line_of(bad, "none_lable"), "none_lable")
    assert "did you mean 'none_label'" in msg


def test_error_unknown_subtable(tmp_path):
    bad = MINI + '\n[extra]\nfoo = 1\n'
    expect_error(tmp_path, bad, line_of(bad, "[extra]"), "extra")


def test_error_duplicate_category_id(tmp_path):
    bad = MINI.replace('id = "organisational"', 'id = "political"')
    msg = expect_error(tmp_path, bad, line_of(bad, 'id = "political"', 2), "political")
    assert "duplicate category id" in msg


def test_error_duplicate_category_label(tmp_path):
    bad = MINI.replace('label = "组织引领"', 'label = "政治引领"')
    msg = expect_error(tmp_path, bad, line_of(bad, 'label = "政治引领"', 2), "政治引领")
    assert "duplicate category label" in msg and "label" in msg


def test_error_duplicate_dimension_id(tmp_path):
    bad = MINI.replace('id = "results"', 'id = "leadership"')
    msg = expect_error(tmp_path, bad, line_of(bad, 'id = "leadership"', 2), "leadership")
    assert "duplicate dimension id" in msg


def test_error_empty_category_no_terms_no_exemplars(tmp_path):
    bad = MINI.replace('seed_terms = ["获得感"]\n', "")
    msg = expect_error(tmp_path, bad, line_of(bad, "[[dimensions.categories]]", 3), "service")
    assert "empty category" in msg and "seed_terms" in msg


def test_error_empty_category_no_definition(tmp_path):
    bad = MINI.replace('definition = "群众得到实际好处。"', 'definition = ""')
    # The first hit of 'definition = ""' is the opening of the multi-line string above.
    msg = expect_error(tmp_path, bad, line_of(bad, 'definition = ""', 2), "definition")
    assert "empty category" in msg


def test_error_bad_type_string_instead_of_list(tmp_path):
    bad = MINI.replace('seed_terms = ["获得感"]', 'seed_terms = "获得感"')
    msg = expect_error(tmp_path, bad, line_of(bad, 'seed_terms = "获得感"'), "seed_terms")
    assert "list of strings" in msg and 'seed_terms = ["获得感"]' in msg


def test_error_bad_type_item_in_list(tmp_path):
    bad = MINI.replace('include = ["理论学习", "主题教育"]', 'include = ["理论学习", 3]')
    msg = expect_error(tmp_path, bad, line_of(bad, "include = "), "include")
    assert "item 2" in msg


def test_error_bad_type_multi_label_and_version(tmp_path):
    bad = MINI.replace('label = "成效"', 'label = "成效"\nmulti_label = "yes"')
    expect_error(tmp_path, bad, line_of(bad, "multi_label"), "multi_label")
    bad = MINI.replace('version = "1.0"', "version = 1.0")
    msg = expect_error(tmp_path, bad, 3, "version", name="bad2.toml")
    assert 'version = "1.0"' in msg


def test_error_non_ascii_id(tmp_path):
    bad = MINI.replace('id = "political"', 'id = "政治"')
    msg = expect_error(tmp_path, bad, line_of(bad, 'id = "政治"'), "id")
    assert "ASCII" in msg


def test_error_missing_label(tmp_path):
    bad = MINI.replace('label = "乘务员"\n', "")
    msg = expect_error(tmp_path, bad, line_of(bad, "[[dimensions.categories]]", 3), "label")
    assert "missing key 'label'" in msg


def test_error_toml_syntax(tmp_path):
    bad = MINI.replace('seed_terms = ["获得感"]', 'seed_terms = ["获得感"')
    path = write(tmp_path, bad, "syntax.toml")
    with pytest.raises(FrameworkError) as info:
        load_framework(path)
    msg = str(info.value)
    assert "syntax.toml" in msg and "TOML syntax error" in msg
    assert f"line {len(bad.splitlines())}" in msg and "end of the file" in msg
    bad = MINI.replace('label = "引领"', "label = 引领")
    path = write(tmp_path, bad, "syntax2.toml")
    with pytest.raises(FrameworkError, match=rf"syntax2.toml, line {line_of(bad, 'label = 引领')}"):
        load_framework(path)


def test_error_not_utf8_and_missing_file(tmp_path):
    path = tmp_path / "gbk.toml"
    path.write_bytes(MINI.encode("gbk"))
    with pytest.raises(FrameworkError, match="gbk.toml.*UTF-8"):
        load_framework(path)
    with pytest.raises(FrameworkError, match="nothere.toml does not exist"):
        load_framework(tmp_path / "nothere.toml")


def test_error_no_dimensions(tmp_path):
    path = write(tmp_path, 'name = "x"\nversion = "1"\n', "nodims.toml")
    with pytest.raises(FrameworkError, match=r"nodims.toml.*\[\[dimensions\]\]"):
        load_framework(path)


def test_error_categories_before_any_dimension(tmp_path):
    bad = 'name = "x"\nversion = "1"\n\n[[dimensions.categories]]\nid = "a"\nlabel = "甲"\n'
    msg = expect_error(tmp_path, bad, 4, "[[dimensions]]")
    assert "comes before any" in msg


def test_inline_category_tables_are_checked(tmp_path):
    text = textwrap.dedent('''\
        name = "x"
        version = "1"
        [[dimensions]]
        id = "d"
        categories = [
          {id = "a", label = "甲", definition = "定义", seed_terms = ["甲"]},
          {id = "b", label = "乙", definition = "定义", seed_term = ["乙"]},
        ]
        ''')
    # Inline tables have no header of their own: the error points at their key.
    msg = expect_error(tmp_path, text, 5, "seed_term")
    assert "category 'b'" in msg


def test_framework_error_is_quanyu_error(tmp_path):
    assert issubclass(FrameworkError, QuanyuError)


def test_unknown_builtin_lists_builtins():
    with pytest.raises(FrameworkError) as info:
        load_framework("quanyuu")
    msg = str(info.value)
    assert "quanyu" in msg and "policy-tools" in msg and "did you mean 'quanyu'" in msg
    assert set(list_frameworks()) >= {"quanyu", "policy-tools"}


# --- built-in frameworks ---------------------------------------------------------------------

LEADERSHIP = {"political": "政治引领", "organisational": "组织引领", "mechanism": "机制引领",
              "action": "行动引领", "team": "队伍引领"}
RESULTS = {"locomotive": "火车头", "engine": "发动机", "emu": "动车组", "crew": "乘务员"}


@pytest.fixture(scope="module")
def quanyu():
    return load_framework("quanyu")


@pytest.fixture(scope="module")
def policy():
    return load_framework("policy-tools")


def test_builtins_listed_and_load():
    assert list_frameworks() == ["policy-tools", "quanyu"]
    for name in list_frameworks():
        fw = load_framework(name)
        assert fw.name == name
        assert fw.source is not None and fw.source.name == f"{name}.toml"


def test_quanyu_dimensions_and_labels(quanyu):
    assert quanyu.dimension_ids == ["leadership", "results", "practices", "fields",
                                    "countermeasures"]
    lead, res = quanyu.dimension("leadership"), quanyu.dimension("results")
    assert dict(zip(lead.ids, [c.label for c in lead.categories])) == LEADERSHIP
    assert dict(zip(res.ids, [c.label for c in res.categories])) == RESULTS
    assert quanyu.labels("leadership")[-1] == "无" and quanyu.labels("results")[-1] == "无"
    assert len(quanyu.dimension("practices").categories) == 4
    assert len(quanyu.dimension("fields").categories) == 8
    assert len(quanyu.dimension("countermeasures").categories) == 6
    assert "刘雪原" in quanyu.citation and "中共南阳市委党校" in quanyu.citation


@pytest.mark.parametrize("dim", ["leadership", "results"])
def test_quanyu_core_counts(quanyu, dim):
    d = quanyu.dimension(dim)
    assert len(d.negative_exemplars) >= 60
    assert len(d.tie_breaks) >= 3
    for c in d.categories:
        assert len(c.seed_terms) >= 40, c.id
        assert len(c.exemplars) >= 25, c.id
        assert c.definition and c.include and c.exclude, c.id


@pytest.mark.parametrize("name", ["quanyu", "policy-tools"])
def test_every_category_is_complete(name):
    fw = load_framework(name)
    for d in fw.dimensions:
        assert d.label and d.description and d.negative_exemplars
        for c in d.categories:
            assert c.label and c.definition, (d.id, c.id)
            assert len(c.seed_terms) >= 15, (d.id, c.id)
            assert len(c.exemplars) >= 3, (d.id, c.id)


@pytest.mark.parametrize("name", ["quanyu", "policy-tools"])
def test_no_duplicates_within_a_dimension(name):
    # A term or sentence listed under two categories would teach coders two answers.
    fw = load_framework(name)
    for d in fw.dimensions:
        terms = [t for c in d.categories for t in c.seed_terms]
        assert len(terms) == len(set(terms)), d.id
        sents = [s for c in d.categories for s in c.exemplars] + list(d.negative_exemplars)
        assert len(sents) == len(set(sents)), d.id


def test_results_exemplars_are_achieved_not_planned(quanyu):
    # The codebook: plans, duties, aims and purpose clauses are 无, so no results exemplar
    # may be phrased as one.
    markers = ("力争", "旨在", "计划于", "计划在", "下一步", "将要", "要把", "要切实", "为了",
               "确保")
    for c in quanyu.dimension("results").categories:
        for s in c.exemplars:
            assert not s.startswith(("要", "将", "让", "为")), s
            assert not any(m in s for m in markers), s


def test_builtin_hash_is_stable_and_path_independent(quanyu, tmp_path):
    again = load_framework("quanyu")
    assert again.hash == quanyu.hash and again == quanyu
    copy = tmp_path / "my-quanyu.toml"
    copy.write_bytes(quanyu.source.read_bytes())
    assert load_framework(copy).hash == quanyu.hash
    assert load_framework("policy-tools").hash != quanyu.hash


def test_policy_tools_structure(policy):
    assert policy.dimension_ids == ["type", "subtype"]
    assert policy.labels("type") == ["供给型", "环境型", "需求型", "无"]
    sub = policy.dimension("subtype").labels
    assert len(sub) == 16 and sub[-1] == "无"
    for label in ["人才培养", "资金投入", "技术支持", "基础设施建设", "公共服务", "目标规划",
                  "金融支持", "税收优惠", "法规管制", "策略性措施", "政府采购", "服务外包",
                  "贸易管制", "示范工程", "海外机构"]:
        assert label in sub
    assert "Rothwell" in policy.citation and "1985" in policy.citation


def test_to_frame_counts(quanyu):
    frame = quanyu.to_frame()
    lead = frame[(frame.dimension == "leadership") & (frame.category_id != "")]
    assert list(lead.label) == list(LEADERSHIP.values())
    assert (lead.n_seed_terms >= 40).all() and (lead.n_exemplars >= 25).all()


# --- export ----------------------------------------------------------------------------------

def test_markdown_appendix(tmp_path, quanyu):
    path = tmp_path / "appendix.md"
    md = framework_to_markdown(quanyu, path, n_seed_terms=5, n_exemplars=2)
    assert path.read_text(encoding="utf-8") == md
    assert md.startswith("# 附录")
    assert quanyu.citation in md
    for label in list(LEADERSHIP.values()) + list(RESULTS.values()):
        assert f"| {label} |" in md
    lead = quanyu.dimension("leadership")
    assert lead.tie_breaks[0] in md
    assert lead.categories[0].definition in md
    assert "、".join(lead.categories[0].seed_terms[:5]) in md
    row = next(r for r in md.splitlines() if r.startswith("| 政治引领 |"))
    assert row.endswith("| " + "、".join(lead.categories[0].seed_terms[:5]) + " |")
    assert lead.categories[0].exemplars[1] in md
    # Every table row has the same number of cells as its header.
    for block in md.split("\n\n"):
        rows = [r for r in block.splitlines() if r.startswith("|")]
        if rows:
            assert len({r.count(" | ") for r in rows if not r.startswith("|---")}) == 1


def test_markdown_without_path_and_english_headings(tmp_path):
    fw = load_framework(write(tmp_path, MINI.replace('language = "zh"', 'language = "en"')))
    md = framework_to_markdown(fw, n_seed_terms=0)
    assert md.startswith("# Appendix: coding framework: 迷你框架")
    assert "Seed terms" not in md and "| 政治引领 | `political` |" in md
    assert not list(tmp_path.glob("*.md"))


def test_markdown_escapes_pipes(tmp_path):
    fw = load_framework(write(tmp_path, MINI.replace("建立和健全党的组织。", "组织|覆盖")))
    assert "组织\\|覆盖" in framework_to_markdown(fw)


def test_xlsx_coding_manual(tmp_path, quanyu):
    import pandas as pd

    path = framework_to_xlsx("quanyu", tmp_path / "manual.xlsx")
    assert path == tmp_path / "manual.xlsx"
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == ["概览"] + quanyu.dimension_ids
    meta = sheets["概览"]
    assert quanyu.hash in meta["内容"].tolist() and quanyu.citation in meta["内容"].tolist()
    for d in quanyu.dimensions:
        table = pd.read_excel(path, sheet_name=d.id, nrows=len(d.categories) + 1)
        assert table["类目"].tolist() == d.labels
        assert table["代码"].tolist()[:-1] == d.ids
        first = d.categories[0]
        assert table.loc[0, "定义"] == first.definition
        assert table.loc[0, "种子词"].split("、") == list(first.seed_terms)
        assert table.loc[0, "例句"].split("\n") == list(first.exemplars)
        assert table.iloc[-1]["例句"].split("\n") == list(d.negative_exemplars)
        if d.tie_breaks:
            rules = pd.read_excel(path, sheet_name=d.id, skiprows=len(d.categories) + 3)
            assert rules["裁决规则"].tolist() == list(d.tie_breaks)
    # No temporary file is left beside the output.
    assert [p.name for p in tmp_path.iterdir()] == ["manual.xlsx"]


def test_xlsx_rejects_other_suffix(tmp_path, quanyu):
    from quanyu_nlp.errors import OutputError

    with pytest.raises(OutputError, match="xlsx"):
        framework_to_xlsx(quanyu, tmp_path / "manual.csv")
    assert not list(tmp_path.iterdir())


def test_from_dict_errors_name_the_source_and_key():
    data = {"name": "d", "version": "1", "dimensions": [
        {"id": "x", "categories": [{"id": "a", "label": "甲", "definition": "定义",
                                    "seed_terms": "甲"}]}]}
    with pytest.raises(FrameworkError, match=r"<dict>: seed_terms .* list of strings"):
        Framework.from_dict(data)
    data["dimensions"][0]["categories"][0]["seed_terms"] = ["甲"]
    fw = Framework.from_dict(data)
    assert fw.labels("x") == ["甲", "无"] and fw.title == "d" and fw.source is None


def test_minimal_example_in_the_docs_loads(tmp_path):
    import re
    from pathlib import Path

    doc = Path(__file__).resolve().parents[1] / "docs" / "framework-format.md"
    example = re.search(r"```toml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S).group(1)
    fw = load_framework(write(tmp_path, example, "village.toml"))
    assert fw.labels("actor") == ["村党支部", "村民自治组织", "无"]
    # The documented error for an unknown key is what the loader says.
    bad = example.replace('seed_terms = ["村委会"', 'seed_term = ["村委会"')
    msg = expect_error(tmp_path, bad, 28, "seed_term", name="my-codebook.toml")
    assert msg.endswith("did you mean 'seed_terms'?")


# --- property: the reported line is right whatever the layout --------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_VALUE_STYLES = [
    lambda k, v: [f'{k} = ["{v}", "{v}二"]'],
    lambda k, v: [f"{k} = [", f'  "{v}",  # 注释 [ ]', f'  "{v}二",', "]"],
    lambda k, v: [f'{k} = ["{v}=1", "[{v}]"]   # x = [1'],
]
_DEF_STYLES = [
    lambda v: [f'definition = "{v}"'],
    lambda v: ['definition = """', f"{v}", 'fake_key = "inside a string" [', '"""'],
    lambda v: [f"definition = '{v} # not a comment'"],
]


@st.composite
def layouts(draw):
    """A valid codebook written with random layout, and where to put an unknown key."""
    n_dims = draw(st.integers(1, 3))
    lines: list[str] = ['name = "p"', 'version = "1"', ""]
    tables = []  # (line index of the header, list of candidate insertion indices)
    for i in range(n_dims):
        lines += [f"# dimension {i}", "[[dimensions]]", f'id = "d{i}"']
        for j in range(draw(st.integers(1, 3))):
            if draw(st.booleans()):
                lines.append("")
            lines.append("[[dimensions.categories]]")
            slots = [len(lines)]
            lines.append(f'id = "c{j}"')
            slots.append(len(lines))
            lines.append(f'label = "类{i}{j}"')
            slots.append(len(lines))
            lines += draw(st.sampled_from(_DEF_STYLES))(f"定义{j}")
            slots.append(len(lines))
            lines += draw(st.sampled_from(_VALUE_STYLES))("seed_terms", f"词{j}")
            slots.append(len(lines))
            tables.append(slots)
    slots = draw(st.sampled_from(tables))
    at = draw(st.sampled_from(slots))
    return lines, at


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layouts())
def test_unknown_key_line_property(tmp_path, layout):
    lines, at = layout
    good = "\n".join(lines) + "\n"
    load_framework(write(tmp_path, good, "good.toml"))
    bad_lines = lines[:at] + ["bogus_key = 1"] + lines[at:]
    path = write(tmp_path, "\n".join(bad_lines) + "\n", "prop.toml")
    with pytest.raises(FrameworkError) as info:
        load_framework(path)
    assert f"prop.toml, line {at + 1}: unknown key 'bogus_key'" in str(info.value)


@pytest.mark.parametrize("name", ["quanyu", "policy-tools"])
def test_no_seed_term_hides_inside_another_categorys_term(name):
    # A dictionary coder matches substrings: '关工委' would fire inside '机关工委'.
    fw = load_framework(name)
    for d in fw.dimensions:
        for a in d.categories:
            for b in d.categories:
                if a is not b:
                    clash = [(x, y) for x in a.seed_terms for y in b.seed_terms if x in y]
                    assert not clash, (d.id, a.id, b.id, clash)


# --- things that are not a codebook file -------------------------------------------------------

def test_a_folder_says_folder_and_names_its_codebook(tmp_path, monkeypatch):
    # load_framework("my_codebooks") used to answer "no built-in framework 'my_codebooks'".
    monkeypatch.chdir(tmp_path)
    (tmp_path / "编码本").mkdir()
    with pytest.raises(FrameworkError) as e:
        load_framework("编码本")
    assert str(e.value) == ("编码本 is a folder, not a codebook file; it has no .toml file; pass "
                            "the path of a codebook written as in docs/framework-format.md")
    write(tmp_path / "编码本", MINI, "mini.toml")
    with pytest.raises(FrameworkError, match=r"pass the codebook file inside it: 编码本.mini\.toml"):
        load_framework("编码本")
    write(tmp_path / "编码本", MINI, "mini2.toml")
    with pytest.raises(FrameworkError, match=r"one of the \.toml files inside it \(mini.toml, "
                                             r"mini2.toml\)"):
        load_framework(tmp_path / "编码本")


def test_markdown_export_is_not_a_codebook(tmp_path):
    # A .md codebook used to fail with "missing key 'name'" or a TOML syntax error.
    md = tmp_path / "附录.md"
    framework_to_markdown(load_framework(write(tmp_path, MINI)), md)
    with pytest.raises(FrameworkError) as e:
        load_framework(md)
    msg = str(e.value)
    assert msg.startswith(f"{md} is a Markdown file, not a TOML codebook") and "\n" not in msg
    assert "docs/framework-format.md" in msg
    assert "if it was made by framework_to_markdown, load the .toml it was made from" in msg


@pytest.mark.parametrize("name, what", [("编码本.docx", "a Word document"),
                                        ("编码本.xlsx", "an Excel workbook"),
                                        ("quanyu.md", "a Markdown file")])
def test_other_formats_are_named_even_before_they_exist(tmp_path, monkeypatch, name, what):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FrameworkError, match=f"{name} is {what}, not a TOML codebook"):
        load_framework(name)


@pytest.mark.parametrize("text, has", [("# 编码本草稿\n# 第二行\n", ""),
                                       ('[experiment]\nname = "试验"\n', " (it has 'experiment')")])
def test_a_toml_file_with_no_codebook_key_is_not_a_codebook(tmp_path, text, has):
    path = write(tmp_path, text, "草稿.txt")
    with pytest.raises(FrameworkError) as e:
        load_framework(path)
    assert str(e.value) == (f"{path} is not a codebook: it has none of the keys name, version, "
                            f"[[dimensions]]{has}; write the codebook as in "
                            "docs/framework-format.md")


def test_a_name_with_a_suffix_is_a_file_not_a_builtin(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FrameworkError, match="framework file codebook.txt does not exist"):
        load_framework("codebook.txt")
    write(tmp_path, MINI, "codebook.txt")
    assert load_framework("codebook.txt").name == "mini"
