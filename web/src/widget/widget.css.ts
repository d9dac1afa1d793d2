// The widget's own styles, inside its shadow root (no CSS leaks in or out).
export const WIDGET_CSS = `
  :host { all: initial; font: 15px/1.4 system-ui, sans-serif; color: #1b1b1b; }
  .panel { border: 1px solid #c8c8c8; border-radius: 8px; padding: 12px; max-width: 320px; background: #fff; }
  h2 { font-size: 16px; margin: 0 0 6px; }
  p { margin: 4px 0; }
  label { display: block; margin: 8px 0 2px; }
  input, button { font: inherit; }
  input { width: 100%; box-sizing: border-box; padding: 6px; border: 1px solid #888; border-radius: 4px; }
  button { margin-top: 8px; padding: 6px 12px; border-radius: 4px; border: 1px solid #245;
           background: #246; color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: #246; }
  button:focus-visible, input:focus-visible { outline: 3px solid #f90; outline-offset: 1px; }
  .closed { color: #8a1c1c; }
  [hidden] { display: none !important; }
`;
