// Renderer entry: mounts the designer; opens a topology named in ?template= (handy for demos and screenshots).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './styles.css';
import { App } from './App';
import { commands } from './commands';
import { startAutosave } from './autosave/recovery';
import { listenForShellOpens } from './lib/files';

const template = new URLSearchParams(window.location.search).get('template');
if (template) commands.openTemplate(template);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// After the template (if any) is loaded: a crashed session's unsaved work is offered first, then every change is autosaved.
// A document the desktop shell named (command line, file association) opens after that offer, not under it.
void startAutosave().finally(() => void listenForShellOpens());
