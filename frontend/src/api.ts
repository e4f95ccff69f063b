/** Typed calls of the integration's `homeiq/…` websocket commands (the panel's only door). */
import type {
  AnalysisRun,
  ApproveResult,
  AutomationConfig,
  Deployment,
  EngineInfo,
  Hass,
  PatternPage,
  Query,
  RejectResult,
  Settings,
  SuggestionPage,
  ValidateResult,
  Version,
  WsError,
} from "./types.js";

export interface ApproveOptions {
  confirm?: boolean;
  yaml?: string;
  automation?: AutomationConfig;
}

export interface PatternFilter {
  /** Not `type`: that field of every message names the command. */
  pattern_type?: string;
  entity_id?: string;
  limit?: number;
}

export class HomeIQApi {
  /** `hass` is read at each call: Home Assistant hands a new object on every state change. */
  constructor(
    private readonly hass: () => Hass,
    private readonly entryId?: string,
  ) {}

  engines(): Promise<{ engines: EngineInfo[] }> {
    return this.hass().callWS({ type: "homeiq/engines" });
  }

  suggestions(status = "pending", limit = 50): Promise<SuggestionPage> {
    return this.call("homeiq/suggestions", { status, limit });
  }

  approve(suggestionId: string, options: ApproveOptions = {}): Promise<ApproveResult> {
    return this.call("homeiq/suggestion/approve", { suggestion_id: suggestionId, ...options });
  }

  reject(suggestionId: string, reason?: string): Promise<RejectResult> {
    return this.call("homeiq/suggestion/reject", {
      suggestion_id: suggestionId,
      ...(reason ? { reason } : {}),
    });
  }

  validate(yaml: string): Promise<ValidateResult> {
    return this.call("homeiq/validate", { yaml });
  }

  ask(text: string): Promise<Query & { message: string }> {
    // The integration fills in Home Assistant's language (the engine's own list decides).
    return this.call("homeiq/ask", { text });
  }

  refine(queryId: string, answers: Record<string, string>): Promise<Query & { message: string }> {
    return this.call("homeiq/refine", { query_id: queryId, answers });
  }

  automations(): Promise<{ automations: Deployment[] }> {
    return this.call("homeiq/automations", {});
  }

  versions(automationId: string): Promise<{ versions: Version[] }> {
    return this.call("homeiq/automation/versions", { automation_id: automationId });
  }

  rollback(automationId: string, version?: number): Promise<Deployment> {
    return this.call("homeiq/automation/rollback", {
      automation_id: automationId,
      ...(version === undefined ? {} : { version }),
    });
  }

  setEnabled(automationId: string, enabled: boolean): Promise<Deployment> {
    const type = enabled ? "homeiq/automation/enable" : "homeiq/automation/disable";
    return this.call(type, { automation_id: automationId });
  }

  remove(automationId: string): Promise<{ automation_id: string; status: "removed" }> {
    return this.call("homeiq/automation/delete", { automation_id: automationId });
  }

  patterns(filter: PatternFilter = {}): Promise<PatternPage> {
    return this.call("homeiq/patterns", { limit: 100, ...filter });
  }

  analysisStatus(): Promise<{ runs: AnalysisRun[] }> {
    return this.call("homeiq/analysis/status", {});
  }

  runAnalysis(): Promise<{ run_id: string; status: string }> {
    return this.call("homeiq/analysis/run", {});
  }

  settings(changes?: Partial<Settings>): Promise<Settings> {
    return this.call("homeiq/settings", changes ? { settings: changes } : {});
  }

  private call<T>(type: string, fields: Record<string, unknown>): Promise<T> {
    // The command's type last: no field of a filter may replace it.
    return this.hass().callWS<T>({
      ...fields,
      ...(this.entryId ? { entry_id: this.entryId } : {}),
      type,
    });
  }
}

/** The sentence to show for a failed call (Home Assistant's websocket errors carry one). */
export function errorMessage(error: unknown): string {
  if (typeof error === "object" && error !== null && "message" in error) {
    return String((error as WsError).message);
  }
  return String(error);
}
