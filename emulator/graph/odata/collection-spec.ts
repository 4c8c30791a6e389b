/** What a route tells the OData layer about one collection, and the error the layer raises. */
import type { GraphRequest, GraphResponse } from "../types.js";
import { graphError } from "../errors.js";
import type { FilterNode } from "./filter.js";
import type { ClauseOp } from "./filter-clauses.js";

export type Wire = Record<string, unknown>;

/** An error raised while applying query options; the route turns it into a Graph error response. */
export class QueryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
  toResponse(req: GraphRequest): GraphResponse {
    return graphError(this.status, this.code, this.message, {}, req.headers["client-request-id"]);
  }
}

export type Expander = (item: Wire, nested: URLSearchParams) => unknown;

export interface TopSpec {
  default: number;
  max: number;
  /** what Graph does with a larger $top: reject (directory objects) or silently cap (signInActivity, logs). */
  overMax: "reject" | "cap";
}

export interface CollectionSpec {
  /** `@odata.context` after `$metadata#`, e.g. "users", "users('id')/authentication/methods". */
  context: string;
  /** OData type for error messages, e.g. "microsoft.graph.user". */
  typeName: string;
  /** directory objects follow the advanced-query rules (graph-contract 0.3). */
  directoryObject: boolean;
  /** $select support; undefined = not supported (400). */
  select?: {
    defaults?: readonly string[];
    /** per-item default set for mixed collections (members: users get the user default set). */
    defaultsFor?: (item: Wire) => readonly string[] | undefined;
    known?: ReadonlySet<string>;
    /** properties this version of the type does not have (beta-only sign-in properties on v1.0). */
    absent?: ReadonlySet<string>;
    emptyArrays?: ReadonlySet<string>;
  };
  /** property path → operators Graph allows; undefined = $filter not supported. */
  filter?: Record<string, readonly ClauseOp[]>;
  /** operators that need ConsistencyLevel + $count even on an allowed property. */
  advancedOps?: readonly ClauseOp[];
  orderby?: readonly string[];
  /** "reject" = the endpoint rejects $top (subscribedSkus); undefined = $top not supported at all. */
  top?: TopSpec | "reject";
  count?: boolean;
  search?: readonly string[];
  skip?: boolean;
  expand?: Record<string, Expander>;
  /** endpoint requires every request to be an advanced query (casts, transitiveRoleAssignments). */
  requiresAdvanced?: boolean;
}

export interface ListOptions {
  /** view of one stored item on the wire (relationships stripped, version differences applied). */
  view: (e: Wire) => Wire;
  /** lower the page cap (signInActivity: 120). */
  capTop?: number;
  /** the route evaluates $filter itself (transitiveRoleAssignments); skip parsing it here. */
  filterHandled?: boolean;
  /** a pre-filter applied before $filter (v1.0 sign-ins are interactive only). */
  prefilter?: (e: Wire, filter: FilterNode | undefined) => boolean;
}
