/** Shared styles: Home Assistant's look through its theme variables (no HA-internal elements). */
import { css } from "lit";

export const sharedStyles = css`
  :host {
    color: var(--primary-text-color);
    font-family: var(--paper-font-body1_-_font-family, var(--ha-font-family-body, Roboto, sans-serif));
  }
  .card {
    background: var(--ha-card-background, var(--card-background-color, #fff));
    border-radius: var(--ha-card-border-radius, 12px);
    border: var(--ha-card-border-width, 1px) solid var(--ha-card-border-color, var(--divider-color, #e0e0e0));
    box-shadow: var(--ha-card-box-shadow, none);
    padding: 16px;
    margin: 0 0 16px;
  }
  h2,
  h3 {
    margin: 0 0 8px;
    font-weight: 500;
  }
  h2 {
    font-size: 1.2em;
  }
  h3 {
    font-size: 1em;
  }
  .secondary {
    color: var(--secondary-text-color);
    font-size: 0.9em;
  }
  .error {
    color: var(--error-color, #db4437);
  }
  .warning {
    color: var(--warning-color, #ffa600);
  }
  .success {
    color: var(--success-color, #43a047);
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: center;
  }
  button {
    font: inherit;
    cursor: pointer;
    border-radius: 4px;
    padding: 6px 12px;
    border: 1px solid var(--primary-color, #03a9f4);
    background: transparent;
    color: var(--primary-color, #03a9f4);
  }
  button.primary {
    background: var(--primary-color, #03a9f4);
    color: var(--text-primary-color, #fff);
  }
  button.danger {
    border-color: var(--error-color, #db4437);
    color: var(--error-color, #db4437);
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  input,
  select,
  textarea {
    font: inherit;
    color: var(--primary-text-color);
    background: var(--secondary-background-color, #f5f5f5);
    border: 1px solid var(--divider-color, #e0e0e0);
    border-radius: 4px;
    padding: 6px 8px;
    box-sizing: border-box;
  }
  textarea.yaml,
  pre {
    font-family: var(--code-font-family, monospace);
    font-size: 0.85em;
  }
  textarea.yaml {
    width: 100%;
    min-height: 12em;
  }
  pre {
    white-space: pre-wrap;
    margin: 0;
  }
  a {
    color: var(--primary-color, #03a9f4);
  }
  label {
    display: block;
    margin: 8px 0;
  }
  label > input,
  label > select {
    display: block;
    width: 100%;
    max-width: 420px;
    margin-top: 4px;
  }
`;
