// The desktop app's main process: one hardened window, the IPC transport of the contract, native file dialogs and the menu.
import { BrowserWindow, Menu, app, dialog, ipcMain, session } from 'electron';
import type { IpcMainInvokeEvent, MenuItemConstructorOptions } from 'electron';
import path from 'node:path';
import type { EventEnvelope, Events, EventName, ResponseEnvelope } from '../../app/ipc/contract';
import { FILE_EXTENSION } from '../../app/model/schema';
import { CrossCheckRunner } from '../crosscheck-host';
import { EngineHost } from '../engine-host';
import { RecentFiles, atomicWriteFile, readDocumentFile } from '../files';
import { RpcFailure, consoleLogger, createDispatcher, createHandlers, defaultValidator } from '../rpc';
import type { FileService } from '../rpc';
import { EVENT_CHANNEL, RPC_CHANNEL } from './channels';
import { ShellOpenQueue, documentPathFromArgv } from './open-file';
import { createReportService } from './report-pdf';
import { DESKTOP_CSP, HARDENED_WEB_PREFERENCES, isTrustedSenderUrl } from './security';
import type { TrustedOrigins } from './security';

// This bundle is dist/main/electron-main.cjs: the preload, the engine worker and the renderer sit beside it.
const bundleDir = __dirname;
const indexHtml = path.join(bundleDir, '../renderer/index.html');
const devServerUrl = app.isPackaged ? undefined : process.env.RELAYLAB_DEV_SERVER_URL;
const trusted: TrustedOrigins = devServerUrl ? { indexHtml, devServerOrigin: devServerUrl } : { indexHtml };

let mainWindow: BrowserWindow | null = null;
let engine: EngineHost | null = null;
// Packaged, the worker file is unpacked next to app.asar (electron-builder.yml asarUnpack).
const workerFile = path.join(bundleDir, 'engine-worker.mjs').replace(/\.asar([\\/])/, '.asar.unpacked$1');

/** Documents the shell names (command line, file association, a second launch), held until the renderer listens. */
const shellOpens = new ShellOpenQueue((file) => void openFromShell(file));
let desktopFiles: DesktopFileService | null = null;

function send<E extends EventName>(event: E, data: Events[E]): void {
  mainWindow?.webContents.send(EVENT_CHANNEL, { event, data } satisfies EventEnvelope);
}

function getEngine(): EngineHost {
  if (!engine) {
    engine = EngineHost.start(workerFile);
    engine.onSnapshot((snapshot) => send('engine.snapshot', snapshot));
  }
  return engine;
}

const filters = [{ name: 'RelayLab topology', extensions: ['relaylab.json', 'json'] }];

/**
 * Native dialogs and disk. A path coming from the renderer is only honoured if the user chose it in a dialog this
 * session or it is in the recent list: a compromised renderer must not read or overwrite arbitrary files.
 */
interface DesktopFileService extends FileService {
  /** Reads a document the user opened through the shell, and lets later saves write back to it like a dialog's choice. */
  adopt(file: string): Promise<string>;
}

function createFileService(recent: RecentFiles): DesktopFileService {
  const chosen = new Set<string>();
  const allowed = async (p: string) => chosen.has(path.resolve(p)) || (await recent.has(p));
  return {
    async open({ path: requested }) {
      let file = requested && (await allowed(requested)) ? path.resolve(requested) : undefined;
      if (!file) {
        const options = { title: 'Open topology', filters, properties: ['openFile' as const] };
        const answer = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
        if (answer.canceled || !answer.filePaths[0]) return { cancelled: true };
        file = answer.filePaths[0];
      }
      const text = await readDocumentFile(file).catch((e: Error) => {
        throw new RpcFailure('internal', e.message);
      });
      chosen.add(file);
      await recent.add(file);
      return { path: file, text };
    },
    async save({ path: requested, text, saveAs }) {
      let file = !saveAs && requested && (await allowed(requested)) ? path.resolve(requested) : undefined;
      if (!file) {
        const defaultPath = requested ? path.basename(requested) : `untitled${FILE_EXTENSION}`;
        const options = { title: 'Save topology', defaultPath, filters };
        const answer = mainWindow ? await dialog.showSaveDialog(mainWindow, options) : await dialog.showSaveDialog(options);
        if (answer.canceled || !answer.filePath) return { cancelled: true };
        file = answer.filePath.endsWith('.json') ? answer.filePath : answer.filePath + FILE_EXTENSION;
      }
      await atomicWriteFile(file, text).catch((e: Error) => {
        throw new RpcFailure('internal', e.message);
      });
      chosen.add(file);
      await recent.add(file);
      return { path: file };
    },
    async recent() {
      return { paths: await recent.list() };
    },
    async adopt(file) {
      const resolved = path.resolve(file);
      const text = await readDocumentFile(resolved);
      chosen.add(resolved);
      await recent.add(resolved);
      return text;
    },
  };
}

/** Sends a shell-named document to the renderer, which parses it like any opened file (errors in its usual dialog). */
async function openFromShell(file: string): Promise<void> {
  if (!desktopFiles) return;
  let text: string;
  try {
    text = await desktopFiles.adopt(file);
  } catch (e) {
    dialog.showErrorBox('Cannot open the topology', e instanceof Error ? e.message : String(e));
    return;
  }
  send('app.openFile', { path: path.resolve(file), text });
  if (mainWindow?.isMinimized()) mainWindow.restore();
  mainWindow?.focus();
}

/**
 * The menu sends app.menu with the renderer's command names (renderer/commands.ts). Shortcuts the renderer already
 * handles itself are shown but not registered, so one keystroke never runs a command twice and text fields keep
 * their native undo and clipboard keys.
 */
function buildMenu(): Menu {
  const action = (name: string) => () => send('app.menu', { action: name });
  const shownOnly = { registerAccelerator: false };
  const mac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(mac ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        { label: 'New', accelerator: 'CmdOrCtrl+N', click: action('newDocument') },
        { label: 'Open…', accelerator: 'CmdOrCtrl+O', ...shownOnly, click: action('open') },
        { label: 'Templates…', click: action('templates') },
        { type: 'separator' },
        { label: 'Save', accelerator: 'CmdOrCtrl+S', ...shownOnly, click: action('save') },
        { label: 'Save As…', accelerator: 'CmdOrCtrl+Shift+S', ...shownOnly, click: action('saveAs') },
        { type: 'separator' },
        {
          label: 'Export',
          submenu: [
            { label: 'Image (PNG)…', click: action('exportPng') },
            { label: 'Image (SVG)…', click: action('exportSvg') },
            { label: 'Tables (CSV)…', click: action('exportCsv') },
          ],
        },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    {
      label: '&Edit',
      // Undo/redo are the document's history (the renderer's named actions), not a text field's.
      submenu: [
        { label: 'Undo', accelerator: 'CmdOrCtrl+Z', ...shownOnly, click: action('undo') },
        { label: 'Redo', accelerator: mac ? 'Cmd+Shift+Z' : 'Ctrl+Y', ...shownOnly, click: action('redo') },
        { type: 'separator' },
        // macOS routes clipboard keys in text fields through these roles; elsewhere the page handles them.
        { role: 'cut', ...(mac ? {} : shownOnly) },
        { role: 'copy', ...(mac ? {} : shownOnly) },
        { role: 'paste', ...(mac ? {} : shownOnly) },
        { label: 'Duplicate', accelerator: 'CmdOrCtrl+D', ...shownOnly, click: action('duplicate') },
        { label: 'Delete', click: action('deleteSelection') },
        { label: 'Select All', accelerator: 'CmdOrCtrl+A', ...shownOnly, click: action('selectAll') },
      ],
    },
    {
      label: '&View',
      submenu: [
        { label: 'Fit to Window', accelerator: 'F', ...shownOnly, click: action('fit') },
        { label: 'Reset Layout', click: action('resetLayout') },
        { type: 'separator' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { role: 'resetZoom' },
        { role: 'togglefullscreen' },
        ...(app.isPackaged ? [] : [{ type: 'separator' as const }, { role: 'reload' as const }, { role: 'toggleDevTools' as const }]),
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}

function createWindow(): void {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'RelayLab',
    show: false,
    webPreferences: { ...HARDENED_WEB_PREFERENCES, preload: path.join(bundleDir, 'preload.cjs') },
  });
  mainWindow = window;
  // A new or reloading page does not listen yet: documents wait for its 'app.ready'.
  shellOpens.rendererGone();
  window.webContents.on('did-start-loading', () => shellOpens.rendererGone());
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null;
    shellOpens.rendererGone();
  });
  // The renderer's beforeunload refuses to unload while the document has unsaved changes (renderer/App.tsx);
  // Electron then emits this instead of closing silently, and the user decides in a native dialog.
  window.webContents.on('will-prevent-unload', (event) => {
    const choice = dialog.showMessageBoxSync(window, {
      type: 'warning',
      buttons: ['Close without saving', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      noLink: true,
      title: 'Unsaved changes',
      message: 'The topology has unsaved changes.',
      detail: 'They are kept in autosave: RelayLab offers to restore them the next time it starts.',
    });
    // preventDefault here overrides the page's refusal, so the window closes (or reloads).
    if (choice === 0) event.preventDefault();
  });
  if (devServerUrl) void window.loadURL(devServerUrl);
  else void window.loadFile(indexHtml);
}

/** Refuses anything that would take a renderer away from our page: navigation, new windows, webviews, permissions. */
function lockDownContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    // Nothing in the app links out, so no window is ever opened and nothing is handed to shell.openExternal.
    contents.setWindowOpenHandler(() => {
      return { action: 'deny' };
    });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [DESKTOP_CSP] } });
  });
}

function serveIpc(): void {
  const crossChecks = new CrossCheckRunner(workerFile);
  const recent = new RecentFiles(path.join(app.getPath('userData'), 'recent-files.json'));
  const files = createFileService(recent);
  desktopFiles = files;
  const dispatch = createDispatcher(
    createHandlers({
      mode: 'desktop',
      version: app.getVersion(),
      platform: process.platform,
      validate: defaultValidator,
      engine: getEngine,
      files,
      reports: createReportService(() => mainWindow),
      // The same bundle as the engine, one short-lived thread per cross-check: main's thread keeps the window responsive.
      crossCheck: (topology, options) => crossChecks.run(topology, options),
      onRendererReady: () => shellOpens.rendererReady(),
    }),
    consoleLogger,
  );
  ipcMain.handle(RPC_CHANNEL, async (event: IpcMainInvokeEvent, raw: unknown): Promise<ResponseEnvelope> => {
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null || !isTrustedSenderUrl(frame.url, trusted)) {
      consoleLogger.error(`refused IPC from ${frame?.url ?? 'a destroyed frame'}`);
      return { id: -1, ok: false, error: { code: 'bad-request', message: 'IPC is only accepted from the RelayLab page' } };
    }
    return dispatch(raw, { peer: 'ipc' });
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // Windows and Linux start a second process for a document opened while we run: it hands us its argv and quits.
  app.on('second-instance', (_event, argv, workingDirectory) => {
    const file = documentPathFromArgv(argv, { defaultApp: process.defaultApp === true, cwd: workingDirectory });
    if (file) shellOpens.request(file);
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  // macOS names documents (Finder, the Dock, `open`) with this event, possibly before 'ready': registered first.
  app.on('open-file', (event, file) => {
    event.preventDefault();
    shellOpens.request(file);
    // The app stays running without windows on macOS: a document opened then needs one.
    if (app.isReady() && !mainWindow) createWindow();
  });
  const launched = documentPathFromArgv(process.argv, { defaultApp: process.defaultApp === true, cwd: process.cwd() });
  if (launched) shellOpens.request(launched);
  app.whenReady().then(
    () => {
      lockDownContents();
      serveIpc();
      Menu.setApplicationMenu(buildMenu());
      createWindow();
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) createWindow();
      });
    },
    (e: unknown) => {
      console.error('relaylab: could not start', e);
      app.exit(1);
    },
  );
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => {
    const running = engine;
    engine = null;
    void running?.terminate();
  });
}
