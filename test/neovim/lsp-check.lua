-- Neovim as an independent LSP client of the bundled server: it has its own JSON-RPC code, its
-- own incremental-sync diffing and its own idea of positions, so it catches what a client built
-- on the same libraries as the server would not. Written for the Neovim 0.7 API (Debian 12).
local server = os.getenv('LSP_SERVER') or error('set LSP_SERVER')
local file = os.getenv('LSP_FILE') or error('set LSP_FILE')
local passed, failed = 0, 0
local function say(s) io.stdout:write(s .. '\n') end
local function check(name, ok, detail)
  say((ok and 'PASS ' or 'FAIL ') .. name .. (detail and (': ' .. detail) or ''))
  if ok then passed = passed + 1 else failed = failed + 1 end
end

vim.cmd('edit ' .. file)
vim.bo.filetype = 'c'
local bufnr = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({
  name = 'livepatch-lens',
  cmd = { 'node', server, '--stdio' },
  root_dir = vim.fn.fnamemodify(file, ':h'),
})
check('client started', client_id ~= nil)
vim.lsp.buf_attach_client(bufnr, client_id)
local initialized = vim.wait(10000, function()
  local c = vim.lsp.get_client_by_id(client_id)
  return c ~= nil and c.initialized
end, 50)
local c = vim.lsp.get_client_by_id(client_id)
check('initialized with documentSymbolProvider', initialized and c.server_capabilities.documentSymbolProvider ~= nil)

local function symbol_names()
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) } }
  local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/documentSymbol', params, 10000) or {}
  local names = {}
  for _, response in pairs(responses) do
    for _, symbol in ipairs(response.result or {}) do
      local children = {}
      for _, child in ipairs(symbol.children or {}) do table.insert(children, child.name) end
      table.insert(names, symbol.name .. (#children > 0 and ('[' .. table.concat(children, ',') .. ']') or ''))
    end
  end
  return table.concat(names, ' ')
end

local expected = 'funcs[cmdline_proc_show,show_stat] ext4_funcs[ext4_attr_store] objs[vmlinux,ext4] patch'
local got = symbol_names()
check('document symbols', got == expected, got)

-- An edit through Neovim's incremental sync: rename the first old_name.
local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
for i, line in ipairs(lines) do
  local s, e = line:find('"cmdline_proc_show"', 1, true)
  if s then
    vim.api.nvim_buf_set_text(bufnr, i - 1, s, i - 1, e - 1, { 'meminfo_proc_show' })
    break
  end
end
-- Polled by hand: a buf_request_sync nested inside vim.wait's condition can hang Neovim 0.7.
local changed = ''
for _ = 1, 50 do
  changed = symbol_names()
  if changed:find('meminfo_proc_show', 1, true) then break end
  vim.wait(100)
end
check('symbols follow an incremental edit', changed == expected:gsub('cmdline_proc_show', 'meminfo_proc_show'), changed)

-- A sample patch: the diagnostics of the bundled target's hazard, on a changed line.
local patch = os.getenv('LSP_PATCH')
if patch then
  vim.cmd('edit ' .. patch)
  vim.bo.filetype = 'diff'
  local patch_buf = vim.api.nvim_get_current_buf()
  vim.lsp.buf_attach_client(patch_buf, client_id)
  local found = vim.wait(20000, function()
    for _, d in ipairs(vim.diagnostic.get(patch_buf)) do
      if d.code == 'LP210' then return true end
    end
    return false
  end, 100)
  local codes = {}
  for _, d in ipairs(vim.diagnostic.get(patch_buf)) do
    table.insert(codes, string.format('%d:%s', d.lnum + 1, tostring(d.code)))
  end
  check('patch diagnostics (LP210: inlined into __schedule)', found, table.concat(codes, ' '))

  -- Hover on the patched function in a klp module source: the target's view of it.
  vim.cmd('edit ' .. os.getenv('LSP_HOVER_FILE'))
  vim.bo.filetype = 'c'
  local hover_buf = vim.api.nvim_get_current_buf()
  vim.lsp.buf_attach_client(hover_buf, client_id)
  local hover = ''
  for i, line in ipairs(vim.api.nvim_buf_get_lines(hover_buf, 0, -1, false)) do
    local col = line:find('"pick_next_task"', 1, true)
    if col then
      for _ = 1, 100 do
        local params = { textDocument = { uri = vim.uri_from_bufnr(hover_buf) }, position = { line = i - 1, character = col + 2 } }
        for _, r in pairs(vim.lsp.buf_request_sync(hover_buf, 'textDocument/hover', params, 5000) or {}) do
          if r.result and r.result.contents then hover = r.result.contents.value or '' end
        end
        if hover:find('__schedule', 1, true) then break end
        vim.wait(100)
      end
      break
    end
  end
  check('hover shows the inlining into __schedule', hover:find('inlined into', 1, true) ~= nil and hover:find('__schedule', 1, true) ~= nil, hover:sub(1, 60))
end

vim.lsp.stop_client(client_id)
say(string.format('neovim: %d passed, %d failed', passed, failed))
vim.cmd(failed == 0 and 'qa!' or 'cquit 1')
