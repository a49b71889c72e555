// IPC channel names shared by the Electron main process and the preload (kept free of imports: the sandboxed preload bundles it).
export const RPC_CHANNEL = 'relaylab:rpc';
export const EVENT_CHANNEL = 'relaylab:event';
