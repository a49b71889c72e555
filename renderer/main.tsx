// Renderer entry: mounts the designer (or, at /instructor in class mode, the instructor's page); opens a topology named in ?template= (handy for demos and screenshots).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './styles.css';
import { App } from './App';
import { commands } from './commands';
import { startAutosave } from './autosave/recovery';
import { listenForShellOpens } from './lib/files';
import { isInstructorPage } from './api/index';
import { InstructorApp } from './class/InstructorApp';
import { startClassStudent } from './class/student';

const root = createRoot(document.getElementById('root')!);
// Only web mode has an instructor page; the desktop window always loads the designer.
if (!window.relaylab && isInstructorPage()) {
  root.render(
    <StrictMode>
      <InstructorApp />
    </StrictMode>,
  );
} else {
  const template = new URLSearchParams(window.location.search).get('template');
  if (template) commands.openTemplate(template);

  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  );

  // After the template (if any) is loaded: a crashed session's unsaved work is offered first, then every change is autosaved.
  // A document the desktop shell named (command line, file association) opens after that offer, not under it.
  void startAutosave().finally(() => void listenForShellOpens());
  // Class mode: ask the student's name, then follow the instructor's pushes.
  void startClassStudent();
}
