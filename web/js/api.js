// The public JSON API, as any client calls it: bearer token, JSON in and out, problem+json errors.

const BASE = "/api/v1";
const TOKEN_KEY = "skillpath.token";

// The token lives in sessionStorage: it survives a reload of this tab but ends with the tab, is
// not shared with other tabs or left behind on a shared computer (localStorage would be), and,
// unlike a cookie, is never sent by the browser on its own, so no other site can make requests
// with it (no CSRF). The app's strict CSP, with no inline or foreign script, guards it from XSS.
export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set token(value) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
};

/** An error answer, worded for a person from the problem+json body (RFC 9457). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(describe(status, problem));
    this.status = status;
    this.problem = problem;
  }
}

function fieldName(loc) {
  const last = (loc || []).filter((part) => !["body", "query", "path"].includes(part)).pop();
  return last === undefined ? "" : String(last).replace(/_/g, " ");
}

function describe(status, problem) {
  if (problem && Array.isArray(problem.errors) && problem.errors.length) {
    const issues = problem.errors.map((e) => {
      const field = fieldName(e.loc);
      return field ? `${field}: ${e.msg}` : e.msg;
    });
    return `Please check what you typed. ${issues.join("; ")}.`;
  }
  if (status === 429) return "Too many attempts. Please wait a minute and try again.";
  if (problem && (problem.detail || problem.title)) {
    return problem.detail || problem.title;
  }
  if (status === 0) return "The service cannot be reached. Check your connection and try again.";
  return `Something went wrong (HTTP ${status}). Please try again.`;
}

async function parse(response) {
  const type = response.headers.get("content-type") || "";
  if (response.status === 204) return null;
  if (type.includes("json")) return response.json();
  return response.text();
}

/**
 * Call the API. Resolves to {data, etag}; rejects with ApiError. `form` sends
 * application/x-www-form-urlencoded (the OAuth2 token endpoint); `json` sends JSON.
 */
export async function call(method, path, { json, form, headers = {} } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers } };
  if (session.token) init.headers.Authorization = `Bearer ${session.token}`;
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (form !== undefined) {
    init.body = new URLSearchParams(form);
  }
  let response;
  try {
    response = await fetch(BASE + path, init);
  } catch {
    throw new ApiError(0, null);
  }
  const data = await parse(response).catch(() => null);
  if (!response.ok) throw new ApiError(response.status, typeof data === "object" ? data : null);
  return { data, etag: response.headers.get("ETag") };
}

export const get = async (path) => (await call("GET", path)).data;

export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** Every item of a paginated list (the API pages at most 100 at a time). */
export async function getAll(path, params = {}) {
  const items = [];
  for (;;) {
    const page = await get(path + query({ ...params, limit: 100, offset: items.length }));
    items.push(...page.items);
    if (!page.items.length || items.length >= page.total) return items;
  }
}
