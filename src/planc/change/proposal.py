"""``planc propose``: turn plan edits in the work tree into a branch, a commit and a PR body.

Safety first. The commit is built with git plumbing in a temporary index
(:meth:`planc.core.gitsource.Repository.commit_files`) and the branch is created
as a bare ref, so the user's work tree, index and checked-out branch are
never touched: every file stays byte for byte as it was, other changes are
neither lost nor mixed in, and the user ends where they started. What the
branch gets: HEAD plus the plan files of one quarter folder as they are in
the work tree, plus (when asked) a new adjustment record in the quarter file.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from planc.change.comparison import Comparison, ComparisonError, Endpoint
from planc.change.coverage import value_changes
from planc.change.diff import WORK_TREE, Impact, Side, compute_impact
from planc.change.impact_report import render_markdown, summary_sentence, words_for
from planc.checks import check_sources
from planc.core.diagnostics import Severity
from planc.core.files import FileTooLarge, read_regular, write_atomic
from planc.core.gitsource import GitSourceError, Repository, Revision
from planc.core.loader import DEFAULT_MAX_BYTES
from planc.core.pipeline import display_path
from planc.core.records import CAUSES, RecordText, add_record, fill_stubs, next_id, stub_ids
from planc.core.reporters import text
from planc.core.source import SourceFile

EXIT_PLAN = 1  # the plan is not ready (does not compile, a change without a record)
EXIT_REFUSED = 2  # the repository is not in a state to propose from (or bad options)


class ProposalError(Exception):
    """planc propose refused, with what to do about it; nothing was changed."""

    def __init__(self, message: str, exit_code: int = EXIT_REFUSED, details: str = "") -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.details = details


@dataclass(frozen=True, slots=True)
class RecordRequest:
    cause: str | None = None
    effective: date | None = None
    note: str | None = None
    decided: date | None = None
    approved_by: tuple[str, ...] = ()

    @property
    def given(self) -> bool:
        return any((self.cause, self.effective, self.note))

    def missing(self) -> list[str]:
        names = {"--cause": self.cause, "--effective": self.effective, "--note": self.note}
        return [flag for flag, value in names.items() if not value]


@dataclass(frozen=True, slots=True)
class ProposalRequest:
    plan_dir: Path | None
    record: RecordRequest = RecordRequest()
    branch: str | None = None
    title: str | None = None
    body_file: Path | None = None
    open_pr: bool = False
    remote: str = "origin"
    max_bytes: int = DEFAULT_MAX_BYTES


@dataclass(slots=True)
class Proposal:
    branch: str
    commit: str
    base_branch: str | None
    files: list[str]
    record_id: str | None
    body_file: Path
    title: str
    impact: Impact
    pr_url: str | None = None
    notes: list[str] = field(default_factory=list)


def propose(request: ProposalRequest) -> Proposal:
    """Check, record, commit to a new branch, write the PR body; optionally push and open it."""
    try:
        return _propose(request)
    except (GitSourceError, ComparisonError) as error:
        raise ProposalError(str(error)) from error


def _propose(request: ProposalRequest) -> Proposal:
    repo = Repository.open(request.plan_dir or Path.cwd())
    _refuse_unsafe_states(repo, request)
    head_sha = repo.head_sha()
    plan_dir = request.plan_dir or _changed_quarter(repo, head_sha)
    relative = repo.relative(plan_dir)
    contents = _plan_contents(repo, relative)
    if not _differs_from(repo, head_sha, contents):
        raise ProposalError(
            f"nothing to propose: the plan files under {display_path(plan_dir)} are as committed "
            "at HEAD; edit the plan first"
        )
    base = _base_revision(repo)
    comparison = Comparison(base.sha, None, max_bytes=request.max_bytes, start=plan_dir)
    comparison.base = Endpoint(revision=base)
    head = comparison.side(comparison.head, plan_dir)
    before = comparison.base_side(plan_dir, head)
    impact = compute_impact(before, head, comparison.approved_side(head, before))
    _require_plan(impact)
    record_id, contents, impact = _fill_stubs(repo, contents, impact, request, comparison, plan_dir)
    filled = record_id is not None
    if impact.uncovered:
        record_id, contents, impact = _with_record(
            repo, relative, contents, impact, request, comparison, plan_dir
        )
    elif request.record.given and not filled:
        raise ProposalError(_record_not_needed(impact))
    _require_compiles(impact, record_id)
    branch = request.branch or _branch_name(impact, record_id, head_sha)
    _require_free_branch(repo, branch)
    title = request.title or _title(impact, record_id)
    message = _commit_message(impact, title)
    commit, changed = repo.commit_files(head_sha, contents, message)
    body = render_markdown([impact])
    body_file = request.body_file or (repo.git_dir / "planc" / "PR_BODY.md")
    write_atomic(body_file, body.encode("utf-8"))
    repo.create_branch(branch, commit)
    default = repo.default_branch()
    proposal = Proposal(
        branch=branch,
        commit=commit,
        base_branch=default.split("/", 1)[1]
        if default and default.startswith("origin/")
        else default,
        files=changed,
        record_id=record_id,
        body_file=body_file,
        title=title,
        impact=impact,
    )
    if request.open_pr:
        _open_pull_request(repo, request, proposal)
    return proposal


def _record_not_needed(impact: Impact) -> str:
    """Why --cause, --effective and --note have nothing to write: a record is for a target
    value changed or added in a quarter the base has (and compiles), and the quarter is
    new there, or no value changed, or only removed ones, or each has its record already."""
    removed = [change for change in impact.changes if change.after is None]
    if impact.status == "new":
        why = (
            f"{impact.folder} is a new quarter (the base has none), and only a changed "
            "target value of a quarter the base has needs an adjustment record"
        )
    elif impact.status == "base-invalid":
        why = (
            f"the plan in {impact.folder} does not compile at the base, and a record is for "
            "a target value changed from the base's"
        )
    elif not impact.changes:
        why = (
            "no target value changed (only phasing, splits or other fields), and only a "
            "changed value needs an adjustment record"
        )
    elif len(removed) == len(impact.changes):
        why = "only targets removed, and a removed target needs no adjustment record"
    else:
        why = "every changed target value already has an adjustment record" + (
            " (a removed target needs none)" if removed else ""
        )
    return (
        f"{why}, so --cause, --effective and --note are not needed: leave them out "
        "(or change the record in the plan yourself)"
    )


# --- preconditions ------------------------------------------------------------------------


def _require_body_file_outside_the_work(repo: Repository, body_file: Path) -> None:
    """--body-file naming a file of the working tree (a plan file with the very edits being
    proposed, or notes of the user's) wrote the PR body over it, while propose said the
    working tree was unchanged. An existing file there is refused; a new one is written."""
    target = body_file.absolute().resolve()
    in_work = target.is_relative_to(repo.root) and not target.is_relative_to(repo.git_dir.resolve())
    if in_work and (target.exists() or body_file.is_symlink()):
        raise ProposalError(
            f"--body-file {display_path(body_file)} is a file of your working tree, which "
            "planc propose leaves as it is: give a new file, or one outside the working tree "
            "(the default is .git/planc/PR_BODY.md); nothing was changed"
        )


def _refuse_unsafe_states(repo: Repository, request: ProposalRequest) -> None:
    if request.body_file is not None:
        _require_body_file_outside_the_work(repo, request.body_file)
    if not repo.has_commits():
        raise ProposalError(
            f"the repository at {repo.root} has no commits yet: commit a first version of the "
            "plan on the default branch, then propose changes to it"
        )
    operation = repo.operation_in_progress()
    if operation is not None:
        raise ProposalError(f"{operation} is in progress: finish or abort it first")
    staged = repo.staged_paths()
    if staged:
        shown = ", ".join(staged[:5]) + (f" and {len(staged) - 5} more" if len(staged) > 5 else "")
        raise ProposalError(
            f"the index has staged changes ({shown}): planc propose never mixes staged work into "
            "a proposal; commit them, or unstage them with `git restore --staged PATH`, and run "
            "it again (the changes stay in your work tree either way)"
        )
    if request.branch is not None and not repo.valid_branch_name(request.branch):
        raise ProposalError(f"{request.branch!r} is not a valid branch name")
    if request.open_pr:
        if shutil.which("gh") is None:
            raise ProposalError(
                "--open needs the GitHub CLI `gh` on PATH; leave out --open and open the pull "
                "request yourself with the printed body file"
            )
        if request.remote not in repo.remotes():
            raise ProposalError(
                f"--open pushes the branch to the remote {request.remote!r}, which this "
                "repository does not have (see `git remote -v`, or pass --remote NAME)"
            )


def _changed_quarter(repo: Repository, head_sha: str) -> Path:
    plans = repo.root / "plans"
    candidates = sorted(p for p in plans.iterdir() if p.is_dir()) if plans.is_dir() else []
    changed = [
        p
        for p in candidates
        if _differs_from(repo, head_sha, _plan_contents(repo, repo.relative(p)))
    ]
    removed = [
        repo.root / f for f in repo.folders_at(head_sha, "plans") if not (repo.root / f).exists()
    ]
    changed += removed
    if len(changed) == 1:
        return Path(display_path(changed[0]))
    if not changed:
        raise ProposalError(
            "nothing to propose: no plan folder under plans/ differs from HEAD; edit the plan first"
        )
    names = ", ".join(display_path(p) for p in changed)
    raise ProposalError(
        f"several quarters have changes ({names}): propose one at a time, e.g. "
        f"planc propose {display_path(changed[0])}"
    )


def _plan_contents(repo: Repository, relative: str) -> dict[str, bytes | None]:
    present, gone = repo.work_tree_files(relative)
    contents: dict[str, bytes | None] = {}
    for path in present:
        try:
            contents[path] = read_regular(repo.root / path, DEFAULT_MAX_BYTES, path)
        except OSError as error:
            raise ProposalError(f"cannot read {path}: {error.strerror or error}") from error
    contents.update(dict.fromkeys(gone))
    return contents


def _differs_from(repo: Repository, sha: str, contents: dict[str, bytes | None]) -> bool:
    """Whether a file of ``contents`` (None: gone) differs from the commit ``sha``'s. A blob
    larger than the file is not read: it differs (the file is bounded, the blob is not)."""
    for path, data in contents.items():
        try:
            if repo.read_head_blob(sha, path, len(data) if data is not None else 0) != data:
                return True
        except FileTooLarge:
            return True
    return False


def _base_revision(repo: Repository) -> Revision:
    try:
        return repo.merge_base_with_default()
    except GitSourceError:
        return repo.resolve("HEAD", "HEAD")


def _require_plan(impact: Impact) -> None:
    head = impact.head.result
    if impact.status == "removed" or head is None:
        raise ProposalError(
            f"{impact.folder} is removed in the work tree; removing a quarter is not an "
            "adjustment: do it in an ordinary commit",
            EXIT_PLAN,
        )
    if head.plan is None:
        raise ProposalError(
            f"the plan in {impact.folder} does not compile; fix these errors first "
            "(nothing was changed)",
            EXIT_PLAN,
            details=text([head]),
        )


#: a new record has no approver yet: that comes in review (policy.approvals.enforce)
AWAITING_APPROVAL = ("PLC620", "PLC621")


def _require_compiles(impact: Impact, record_id: str | None) -> None:
    head = impact.head.result
    assert head is not None
    blocking = [
        d
        for d in head.diagnostics
        if d.severity is Severity.ERROR
        and not (
            record_id is not None
            and d.code in AWAITING_APPROVAL
            and d.message.startswith(f"{record_id} ")
        )
    ]
    if blocking or impact.uncovered:
        with_record = f" with the new record {record_id}" if record_id else ""
        raise ProposalError(
            f"the plan in {impact.folder}{with_record} has errors; fix them first "
            "(nothing was changed)",
            EXIT_PLAN,
            details=text([head]),
        )


def _require_free_branch(repo: Repository, branch: str) -> None:
    if not repo.valid_branch_name(branch):
        raise ProposalError(f"{branch!r} is not a valid branch name: pass --branch NAME")
    existing = repo.existing_branch(branch)
    if existing is not None:
        raise ProposalError(
            f"a branch named {branch!r} already exists ({existing}): pass --branch with another "
            "name (nothing was changed)"
        )


# --- the adjustment record ------------------------------------------------------------------


def _with_record(
    repo: Repository,
    relative: str,
    contents: dict[str, bytes | None],
    impact: Impact,
    request: ProposalRequest,
    comparison: Comparison,
    plan_dir: Path,
) -> tuple[str, dict[str, bytes | None], Impact]:
    head_plan, base_plan = impact.head.plan, impact.base.plan
    assert head_plan is not None
    listing = "\n".join(f"  {d.span}: {d.message}" for d in impact.uncovered)
    record = request.record
    missing = record.missing()
    if missing:
        raise ProposalError(
            f"{len(impact.uncovered)} changed target(s) have no adjustment record:\n{listing}\n"
            f"Say why with {', '.join(missing)}, and planc propose writes the record, e.g.\n"
            "  planc propose --cause market --effective "
            f'{head_plan.quarter.start.isoformat()} --note "What happened, in a sentence."\n'
            f"(causes: {', '.join(CAUSES)})",
            EXIT_PLAN,
        )
    assert record.cause and record.effective and record.note
    if not head_plan.quarter.contains(record.effective):
        q = head_plan.quarter
        raise ProposalError(
            f"--effective {record.effective} is outside {q.id} ({q.start} to {q.end})"
        )
    taken = {a.id for a in head_plan.adjustments} | (
        {a.id for a in base_plan.adjustments} if base_plan else set()
    )
    record_id = next_id(taken)
    assert base_plan is not None  # a change without a record implies a base plan
    uncovered = {d.loc for d in impact.uncovered}
    changes = [
        (c.target.ref, c.before, c.target.value)
        for c in value_changes(base_plan, head_plan)
        if c.target.loc / "value" in uncovered
    ]
    quarter_file = repo.relative(Path(head_plan.quarter.loc.file))
    original = contents.get(quarter_file)
    if original is None:
        raise ProposalError(f"cannot find the quarter file {quarter_file} in the work tree")
    entry = RecordText(
        record_id,
        record.decided or date.today(),
        record.effective,
        record.cause,
        record.note,
        record.approved_by,
        changes,
    )
    try:
        updated = add_record(original, entry)
    except ValueError as error:
        raise ProposalError(f"cannot add the record to {quarter_file}: {error}") from error
    contents = {**contents, quarter_file: updated}
    new_impact = _recheck(repo, contents, impact, request, comparison, plan_dir, record_id)
    return record_id, contents, new_impact


def _recheck(
    repo: Repository,
    contents: dict[str, bytes | None],
    impact: Impact,
    request: ProposalRequest,
    comparison: Comparison,
    plan_dir: Path,
    record_id: str,
) -> Impact:
    """The impact again, with the plan as the proposal will commit it."""
    sources = [
        SourceFile(display_path(repo.root / path), data)
        for path, data in sorted(contents.items())
        if data is not None
    ]
    shown = display_path(plan_dir)
    result = check_sources(shown, sources, [], request.max_bytes)
    head = Side(f"{WORK_TREE} + {record_id}", None, shown, result)
    return compute_impact(impact.base, head, comparison.approved_side(head, impact.base))


def _fill_stubs(
    repo: Repository,
    contents: dict[str, bytes | None],
    impact: Impact,
    request: ProposalRequest,
    comparison: Comparison,
    plan_dir: Path,
) -> tuple[str | None, dict[str, bytes | None], Impact]:
    """Stub records (from planc import --update) given --cause and --note (and --effective)."""
    head_plan = impact.head.plan
    assert head_plan is not None
    quarter_file = repo.relative(Path(head_plan.quarter.loc.file))
    original = contents.get(quarter_file)
    stubs = stub_ids(original) if original is not None else []
    if not stubs:
        return None, contents, impact
    record = request.record
    if not record.cause or not record.note:
        raise ProposalError(
            f"{', '.join(stubs)} in {quarter_file} are adjustment record stubs with no cause or "
            "note yet: say why with --cause and --note (and --effective if the stub's date is "
            "wrong), and planc propose fills them in, e.g.\n"
            '  planc propose --cause market --note "What happened, in a sentence."\n'
            f"(causes: {', '.join(CAUSES)})",
            EXIT_PLAN,
        )
    if record.effective is not None and not head_plan.quarter.contains(record.effective):
        q = head_plan.quarter
        raise ProposalError(
            f"--effective {record.effective} is outside {q.id} ({q.start} to {q.end})"
        )
    assert original is not None
    updated = fill_stubs(original, stubs, record.cause, record.note, record.effective)
    contents = {**contents, quarter_file: updated}
    return (
        stubs[0],
        contents,
        _recheck(repo, contents, impact, request, comparison, plan_dir, stubs[0]),
    )


# --- naming, and the pull request ------------------------------------------------------------


def _branch_name(impact: Impact, record_id: str | None, head_sha: str) -> str:
    new = [r.id for r in impact.records if r.status == "new"]
    tag = (record_id or (new[0] if new else head_sha[:7])).lower()
    return f"plan/{impact.quarter}-{tag}"


def _commit_message(impact: Impact, title: str) -> str:
    """The commit's text in the plan's language, as the pull request's comment speaks it."""
    w = words_for(impact)
    sentence = summary_sentence(impact, w=w)
    proposed = w._("Proposed with planc propose.")
    return f"{title}\n\n{sentence}\n\n{proposed}\n"


def _title(impact: Impact, record_id: str | None) -> str:
    """The commit's and the pull request's title, in the plan's language: the quarter, the
    record and its cause (bracketed as the language writes them), and its note."""
    w = words_for(impact)
    records = {r.id: r for r in impact.records}
    chosen = records.get(record_id or "") or next(iter(records.values()), None)
    if chosen is None:
        return f"{impact.quarter}: {summary_sentence(impact, w=w)}"[:100]
    note = " ".join(chosen.note.split())
    record = w._("{item} ({detail})", item=chosen.id, detail=w.cause(chosen.cause))
    head = f"{impact.quarter}: {record} "
    room = 100 - len(head)
    return head + (note if len(note) <= room else note[: room - 3].rstrip() + "...")


def _open_pull_request(repo: Repository, request: ProposalRequest, proposal: Proposal) -> None:
    repo.push(request.remote, proposal.branch)
    command = [
        "gh",
        "pr",
        "create",
        "--head",
        proposal.branch,
        "--title",
        proposal.title,
        "--body-file",
        str(proposal.body_file),
    ]
    if proposal.base_branch:
        command += ["--base", proposal.base_branch]
    completed = subprocess.run(
        command, cwd=repo.root, capture_output=True, text=True, check=False, timeout=300
    )
    if completed.returncode != 0:
        raise ProposalError(
            f"the branch {proposal.branch} is pushed, but `gh pr create` failed: "
            f"{completed.stderr.strip() or completed.stdout.strip()}; open the pull request "
            f"yourself with the body in {proposal.body_file}",
            EXIT_PLAN,
        )
    urls = [w for w in completed.stdout.split() if w.startswith("https://")]
    proposal.pr_url = urls[-1] if urls else completed.stdout.strip() or None
