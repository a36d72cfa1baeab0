// The fixture server's tool list: the tools the benchmark calls (`echo`, `blob`, and `items` for
// the large-messages section), eighteen more that a realistic policy names, and three that it does
// not (hidden under `default: "deny"`, as `items` is).

const string = { type: 'string' };
const object = (properties, required = []) => ({ type: 'object', properties, required });

export const TOOLS = [
  { name: 'echo', description: 'Returns its text.', inputSchema: object({ text: string }, ['text']) },
  { name: 'blob', description: 'Returns `size` bytes of text.', inputSchema: object({ size: { type: 'integer' } }, ['size']) },
  {
    name: 'items',
    description: 'Returns `n` content items: short texts, or resource links with `links`.',
    inputSchema: object({ n: { type: 'integer' }, links: { type: 'boolean' } }, ['n']),
  },
  { name: 'read_file', description: 'Reads a file.', inputSchema: object({ path: string }, ['path']) },
  { name: 'write_file', description: 'Writes a file.', inputSchema: object({ path: string, content: string }, ['path', 'content']) },
  { name: 'list_directory', description: 'Lists a directory.', inputSchema: object({ path: string }, ['path']) },
  { name: 'search_files', description: 'Finds files by glob.', inputSchema: object({ path: string, pattern: string }, ['path', 'pattern']) },
  { name: 'move_file', description: 'Moves a file.', inputSchema: object({ source: string, destination: string }, ['source', 'destination']) },
  { name: 'create_directory', description: 'Creates a directory.', inputSchema: object({ path: string }, ['path']) },
  { name: 'get_file_info', description: 'Stats a file.', inputSchema: object({ path: string }, ['path']) },
  { name: 'git_status', description: 'git status.', inputSchema: object({ repo: string }, ['repo']) },
  { name: 'git_diff', description: 'git diff.', inputSchema: object({ repo: string, staged: { type: 'boolean' } }, ['repo']) },
  { name: 'git_commit', description: 'git commit.', inputSchema: object({ repo: string, message: string }, ['repo', 'message']) },
  { name: 'git_log', description: 'git log.', inputSchema: object({ repo: string, max_count: { type: 'integer' } }, ['repo']) },
  { name: 'http_get', description: 'Fetches a URL.', inputSchema: object({ url: string }, ['url']) },
  { name: 'http_post', description: 'Posts to a URL.', inputSchema: object({ url: string, body: string }, ['url']) },
  { name: 'query_database', description: 'Runs a read-only SQL query.', inputSchema: object({ sql: string }, ['sql']) },
  {
    name: 'python_venv',
    description: 'Manages Python virtual environments.',
    inputSchema: object({ action: { type: 'string', enum: ['create', 'delete', 'info'] }, venvPath: string, clear: { type: 'boolean' } }, ['action']),
  },
  { name: 'run_tests', description: 'Runs a test suite.', inputSchema: object({ path: string, filter: string }, ['path']) },
  { name: 'create_issue', description: 'Opens an issue.', inputSchema: object({ title: string, body: string }, ['title']) },
  { name: 'send_email', description: 'Sends an email.', inputSchema: object({ to: string, subject: string, body: string }, ['to', 'subject']) },
  { name: 'shell_exec', description: 'Runs a shell command.', inputSchema: object({ command: string }, ['command']) },
  { name: 'transfer_repository', description: 'Transfers a repository.', inputSchema: object({ repo: string, owner: string }, ['repo', 'owner']) },
  { name: 'drop_database', description: 'Drops a database.', inputSchema: object({ name: string }, ['name']) },
];
