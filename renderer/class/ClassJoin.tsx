// The student's class prompt: asks for the name the instructor will see, then stays as a small badge saying who they are in the class.
import { memo, useState } from 'react';
import { joinClass, useClassStudent } from './student';
import './class.css';

export const ClassJoin = memo(function ClassJoin() {
  const inClass = useClassStudent((s) => s.inClass);
  const name = useClassStudent((s) => s.name);
  const joining = useClassStudent((s) => s.joining);
  const error = useClassStudent((s) => s.error);
  const ended = useClassStudent((s) => s.ended);
  const notice = useClassStudent((s) => s.notice);
  const [typed, setTyped] = useState('');
  if (!inClass) return null;
  if (ended)
    return (
      <div className="class-badge is-ended" role="status" data-testid="class-ended">
        Class session ended: {ended}. Close this tab.
      </div>
    );
  if (name)
    return (
      <div className="class-badge" title="You are in a class: your instructor sees your run's progress and your exercise results, nobody else does" data-testid="class-badge">
        {notice ? (
          <div className="class-notice" data-testid="class-notice">
            <span className="muted">{new Date(notice.atMs).toLocaleTimeString()}</span> {notice.text}
          </div>
        ) : null}
        In class as <b>{name}</b>
      </div>
    );
  return (
    <div className="modal-backdrop">
      <form
        className="modal class-join"
        role="dialog"
        aria-label="Join the class"
        data-testid="class-join"
        onSubmit={(e) => {
          e.preventDefault();
          void joinClass(typed);
        }}
      >
        <h2>Join the class</h2>
        <p>
          Your instructor runs this class. Type the name they will see next to your progress and exercise results. Your run is your own: other
          students do not see it.
        </p>
        <label className="class-join-field">
          Your name
          <input autoFocus value={typed} maxLength={60} onChange={(e) => setTyped(e.target.value)} data-testid="class-name" />
        </label>
        {error ? <p className="class-error">{error}</p> : null}
        <div className="modal-foot">
          <button type="submit" className="primary-button" disabled={!typed.trim() || joining} data-testid="class-join-submit">
            Join
          </button>
        </div>
      </form>
    </div>
  );
});
