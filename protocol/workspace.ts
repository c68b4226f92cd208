/**
 * The workspace of a session, as a device asks for it: the git state of the session's folder (branch,
 * ahead/behind, changed files), one file's diff, a folder's entries and a file's text — intents a
 * device sends on the session's channel, answered in the reply's `result`. Every bound lives here.
 */
import * as z from './zod.js';
import { ID_PATTERN } from './ids.js';
import { lazySchema } from './lazy-schema.js';

/** Longest path a device may ask about (relative to the session's folder, `/`-separated). */
export const MAX_WORKSPACE_PATH_CHARS = 1024;
/** Most changed files a status lists (the rest is counted, not listed). */
export const MAX_STATUS_FILES = 500;
/** Most lines of a diff sent (a longer diff is cut, and says so). */
export const MAX_DIFF_LINES = 2000;
/** Longest line of a diff or file sent (a longer one is cut). */
export const MAX_LINE_CHARS = 2000;
/** Most bytes of a file's text sent (a larger file shows its beginning, and says so). */
export const MAX_FILE_BYTES = 256 * 1024;
/** Most entries of a folder listed. */
export const MAX_DIR_ENTRIES = 1000;
/** Longest branch or upstream name kept. */
const MAX_REF_CHARS = 255;

const id = lazySchema(() => z.string().check(z.regex(ID_PATTERN)));

/**
 * A path inside the session's folder as a device sends it: relative, `/`-separated, '' for the folder
 * itself. Only its size and characters are checked here; the host refuses anything that leads outside
 * (`..`, an absolute path, a symlink) with PATH_OUTSIDE_SESSION.
 */
export const WorkspacePathSchema = lazySchema(() => z.string().check(z.maxLength(MAX_WORKSPACE_PATH_CHARS), z.refine((p) => !p.includes('\0'), 'no NUL')));

/** Device → host: the git state of the session's folder (cheap; a page polls it while it shows it). */
export const WorkspaceStatusIntentSchema = lazySchema(() => z.strictObject({ id, type: z.literal('workspace-status') }));
/** Device → host: what changed in one file since the last commit (working tree against HEAD). */
export const WorkspaceDiffIntentSchema = lazySchema(() => z.strictObject({ id, type: z.literal('workspace-diff'), path: WorkspacePathSchema.check(z.minLength(1)) }));
/** Device → host: the entries of a folder inside the session's folder ('' is the folder itself). */
export const WorkspaceListIntentSchema = lazySchema(() => z.strictObject({ id, type: z.literal('workspace-list'), path: WorkspacePathSchema }));
/** Device → host: the text of a file inside the session's folder (its beginning, when large). */
export const WorkspaceReadIntentSchema = lazySchema(() => z.strictObject({ id, type: z.literal('workspace-read'), path: WorkspacePathSchema.check(z.minLength(1)) }));

/** Every workspace intent. */
export const WorkspaceIntentSchema = lazySchema(() => z.discriminatedUnion('type', [WorkspaceStatusIntentSchema, WorkspaceDiffIntentSchema, WorkspaceListIntentSchema, WorkspaceReadIntentSchema]));
export type WorkspaceIntent = z.infer<typeof WorkspaceIntentSchema>;

/** The intent types above, for routing before full validation (spelled out: reading them from the union would build it at load). */
export const WORKSPACE_INTENT_TYPES: ReadonlySet<string> = new Set([
  'workspace-status',
  'workspace-diff',
  'workspace-list',
  'workspace-read',
] satisfies Array<WorkspaceIntent['type']>);

/**
 * A file's state in git's letters: M modified, A added, D deleted, R renamed, C copied, T type changed,
 * U unmerged, ? untracked; null: unchanged on that side.
 */
export const StatusLetterSchema = lazySchema(() => z.enum(['M', 'A', 'D', 'R', 'C', 'T', 'U', '?']));
export type StatusLetter = z.infer<typeof StatusLetterSchema>;

const relPath = lazySchema(() => z.string().check(z.maxLength(MAX_WORKSPACE_PATH_CHARS * 4)));

/** One changed file, its path relative to the session's folder. */
export const ChangedFileSchema = lazySchema(() => z.strictObject({
  path: relPath,
  /** Staged (in the index) against HEAD. */
  staged: z.nullable(StatusLetterSchema),
  /** In the working tree against the index. */
  unstaged: z.nullable(StatusLetterSchema),
  /** A rename's or copy's former path. */
  from: z.optional(relPath),
  /** Changes whenever the file on disk changes (size and time): a page showing its diff fetches it again. */
  stamp: z.string().check(z.maxLength(64)),
}));
export type ChangedFile = z.infer<typeof ChangedFileSchema>;

/** The git state of the session's folder. */
export const GitStateSchema = lazySchema(() => z.strictObject({
  /** The branch checked out; null when detached. */
  branch: z.nullable(z.string().check(z.maxLength(MAX_REF_CHARS))),
  /** The commit checked out (short); null before the first commit. */
  commit: z.nullable(z.string().check(z.maxLength(64))),
  /** The branch's upstream, with commits ahead of and behind it; null when it has none. */
  upstream: z.nullable(z.strictObject({ name: z.string().check(z.maxLength(MAX_REF_CHARS)), ahead: z.int().check(z.gte(0)), behind: z.int().check(z.gte(0)) })),
  files: z.array(ChangedFileSchema).check(z.maxLength(MAX_STATUS_FILES)),
  /** Changed files beyond those listed. */
  more: z.int().check(z.gte(0)),
}));
export type GitState = z.infer<typeof GitStateSchema>;

/** Answer to workspace-status. `git` null: the folder is not in a git repository (`reason` says so). */
export const WorkspaceStatusSchema = lazySchema(() => z.strictObject({
  kind: z.literal('status'),
  /** The folder's name (its last component), for the page's heading. */
  folder: z.string().check(z.maxLength(MAX_REF_CHARS)),
  git: z.nullable(GitStateSchema),
  reason: z.optional(z.string().check(z.maxLength(200))),
}));
export type WorkspaceStatus = z.infer<typeof WorkspaceStatusSchema>;

/** One line of a diff as the page's diff view draws it; `fold` stands for unchanged lines not sent. */
export const DiffLineSchema = lazySchema(() => z.union([
  z.strictObject({ op: z.enum(['same', 'del', 'add']), text: z.string().check(z.maxLength(MAX_LINE_CHARS + 1)) }),
  z.strictObject({ op: z.literal('fold'), count: z.int().check(z.gte(0)) }),
]));

/** Answer to workspace-diff. */
export const WorkspaceDiffSchema = lazySchema(() => z.strictObject({
  kind: z.literal('diff'),
  path: relPath,
  /** The file is new to git (untracked, or added since HEAD). */
  isNew: z.boolean(),
  /** A binary file: no lines. */
  binary: z.boolean(),
  lines: z.array(DiffLineSchema).check(z.maxLength(MAX_DIFF_LINES + 1)),
  /** The diff was longer than MAX_DIFF_LINES lines (or its output than the host reads): cut. */
  truncated: z.boolean(),
}));
export type WorkspaceDiff = z.infer<typeof WorkspaceDiffSchema>;

/** One entry of a folder. `link`: a symbolic link (opening it is confined like any path). */
export const DirEntrySchema = lazySchema(() => z.strictObject({
  name: z.string().check(z.minLength(1), z.maxLength(1024)),
  type: z.enum(['file', 'dir', 'link', 'other']),
  /** Bytes, for files. */
  size: z.optional(z.int().check(z.gte(0))),
}));
export type DirEntry = z.infer<typeof DirEntrySchema>;

/** Answer to workspace-list: folders first, then files, each by name. */
export const WorkspaceListSchema = lazySchema(() => z.strictObject({
  kind: z.literal('list'),
  path: relPath,
  entries: z.array(DirEntrySchema).check(z.maxLength(MAX_DIR_ENTRIES)),
  /** Entries beyond those listed. */
  more: z.int().check(z.gte(0)),
}));
export type WorkspaceList = z.infer<typeof WorkspaceListSchema>;

/** Answer to workspace-read. A binary file's text is not sent. */
export const WorkspaceFileSchema = lazySchema(() => z.strictObject({
  kind: z.literal('file'),
  path: relPath,
  size: z.int().check(z.gte(0)),
  binary: z.boolean(),
  text: z.string().check(z.maxLength(MAX_FILE_BYTES)),
  /** Only the first MAX_FILE_BYTES bytes are in `text`. */
  truncated: z.boolean(),
}));
export type WorkspaceFile = z.infer<typeof WorkspaceFileSchema>;

/** What a workspace intent's reply carries. */
export const WorkspaceResultSchema = lazySchema(() => z.discriminatedUnion('kind', [WorkspaceStatusSchema, WorkspaceDiffSchema, WorkspaceListSchema, WorkspaceFileSchema]));
export type WorkspaceResult = z.infer<typeof WorkspaceResultSchema>;
