/** Typed shapes of the `homeiq/…` websocket results (the engine's API.md shapes). */

export interface EvidenceDay {
  date: string;
  times: string[];
  delays_s?: number[];
}

export interface Evidence {
  days: EvidenceDay[];
}

export interface Issue {
  code?: string;
  message: string;
  path?: string;
}

export interface Safety {
  score: number;
  issues: Issue[];
}

export interface Validation {
  valid: boolean;
  errors: Issue[];
  warnings: Issue[];
  safety: Safety;
}

export type AutomationConfig = Record<string, unknown> & {
  id?: string;
  alias?: string;
  description?: string;
  mode?: string;
  triggers?: Record<string, unknown>[];
  conditions?: Record<string, unknown>[];
  actions?: Record<string, unknown>[];
};

export type SuggestionStatus = "pending" | "approved" | "rejected" | "deployed" | "dismissed";

export interface Suggestion {
  id: string;
  source: string;
  source_id: string | null;
  title: string;
  description: string;
  explanation?: string;
  score: number;
  status: SuggestionStatus;
  automation: AutomationConfig;
  yaml: string;
  validation: Validation;
  requires_confirmation: boolean;
  reason?: string | null;
  created_at: string;
  updated_at: string;
  evidence?: Evidence;
}

export interface SuggestionPage {
  suggestions: Suggestion[];
  next_cursor: string | null;
  total?: number;
}

export interface Deployment {
  automation_id: string;
  entity_id: string | null;
  version: number;
  status: "deployed" | "disabled" | "removed";
  suggestion_id?: string | null;
  deployed_at: string;
  alias?: string | null;
}

export interface ApproveResult {
  suggestion: Suggestion;
  deployment: Deployment | null;
  message: string;
}

export interface RejectResult {
  suggestion: Suggestion;
  message: string;
}

export interface ValidateResult extends Validation {
  requires_confirmation: boolean;
  /** The automation as YAML; null when it could not be written (e.g. not a mapping). */
  yaml: string | null;
}

export interface ClarificationOption {
  value: string;
  label: string;
}

export interface Clarification {
  id: string;
  question: string;
  options: ClarificationOption[];
}

export interface Action {
  action: string;
  target?: Record<string, unknown>;
  data?: Record<string, unknown>;
}

export interface Query {
  query_id: string;
  text: string;
  status: "ready" | "needs_clarification" | "unsupported";
  kind: "command" | "automation" | "question" | null;
  actions: Action[];
  automation: AutomationConfig | null;
  clarifications: Clarification[];
  suggestions: Suggestion[];
  message?: string;
  latency_ms?: number;
}

export interface Version {
  version: number;
  created_at: string;
  automation: AutomationConfig;
  diff: string;
}

export interface Pattern {
  id: string;
  type: string;
  entities: string[];
  description: string;
  confidence: number;
  support_days: number;
  observed_days: number;
  score: number;
  details: Record<string, unknown>;
  first_seen?: string;
  last_seen?: string;
  evidence?: Evidence;
}

export interface PatternPage {
  patterns: Pattern[];
  next_cursor: string | null;
  total?: number;
}

export interface AnalysisRun {
  run_id: string;
  status: "queued" | "running" | "succeeded" | "failed";
  progress: number;
  started_at: string | null;
  finished_at: string | null;
  stats?: Partial<Record<"events" | "entities" | "patterns" | "synergies" | "duration_s", number>>;
  error?: string | null;
}

export interface Settings {
  analysis_time: string;
  analysis_days: number;
  min_score: number;
  exclude: { areas: string[]; entities: string[]; labels: string[] };
  language: string;
  llm: { backend: "off" | "openai" | "ha_ai_task"; model?: string | null; ai_task_entity?: string | null };
}

export interface EngineInfo {
  entry_id: string;
  title: string;
  version: string | null;
}

/** The slice of Home Assistant's `hass` object the panel and card use. */
export interface HassEntityState {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown> & { friendly_name?: string; device_class?: string };
}

export interface HassEntityEntry {
  entity_id: string;
  area_id?: string | null;
  device_id?: string | null;
}

export interface HassArea {
  area_id: string;
  name: string;
}

export interface HassDevice {
  id: string;
  area_id?: string | null;
}

export interface Hass {
  language?: string;
  states: Record<string, HassEntityState>;
  entities?: Record<string, HassEntityEntry>;
  areas?: Record<string, HassArea>;
  devices?: Record<string, HassDevice>;
  callWS<T>(message: Record<string, unknown> & { type: string }): Promise<T>;
}

/** The error Home Assistant's websocket rejects a call with. */
export interface WsError {
  code: string;
  message: string;
}
