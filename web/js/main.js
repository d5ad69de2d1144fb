// skillpath's web app: signs a learner in, then shows their plan for a goal (plan.js) and topic
// pages (topic.js). Routes live in the URL's hash: "#/" is the plan, "#/topics/<slug>" a topic.

import { ApiError, call, get, session } from "./api.js";
import { byId, h } from "./dom.js";
import { renderPlan } from "./plan.js";
import { forgetWrites } from "./progress.js";
import { renderSearch, renderTopic } from "./topic.js";
import { SIGNED_OUT, announce, clearError, handle, showError } from "./ui.js";

let me = null; // the signed-in account

// ---------------------------------------------------------------- signing in and out

function signedOut() {
  me = null;
  forgetWrites();
  byId("session").hidden = true;
  byId("sign-in").hidden = false;
  byId("view").replaceChildren();
  byId("search-results")?.remove();
  byId("search").value = "";
}

/**
 * Show the session, then the plan. A `greeting` is announced before the plan loads, so that
 * whatever the person does on the plan while it loads has the last word in the status line.
 */
async function signedIn(greeting = "") {
  me = await get("/me");
  byId("who").textContent = me.display_name;
  byId("sign-in").hidden = true;
  byId("session").hidden = false;
  byId("password").value = "";
  if (greeting) announce(greeting);
  await route();
}

async function logIn(email, password, greeting = "") {
  const { data } = await call("POST", "/auth/token", { form: { username: email, password } });
  session.token = data.access_token;
  await signedIn(greeting);
}

function credentials() {
  const email = byId("email").value.trim();
  const password = byId("password").value;
  if (!email || !password) throw new Error("Please enter your email and a password.");
  return { email, password };
}

async function onLogIn(event) {
  event.preventDefault();
  clearError();
  try {
    const { email, password } = credentials();
    await logIn(email, password).catch((error) => {
      if (error instanceof ApiError && error.status === 401) {
        throw new Error("That email and password do not match an account. Check them, or create an account.");
      }
      throw error;
    });
  } catch (error) {
    showError(error);
  }
}

async function onCreateAccount() {
  clearError();
  try {
    const { email, password } = credentials();
    // The account needs a display name: the email's local part, within the API's 100 characters.
    const displayName = email.split("@")[0].slice(0, 100) || email.slice(0, 100);
    await call("POST", "/auth/register", { json: { email, password, display_name: displayName } });
    await logIn(email, password, `Welcome, ${displayName}. Your account is ready.`);
  } catch (error) {
    showError(error);
  }
}

async function onLogOut() {
  clearError();
  try {
    await call("POST", "/auth/logout");
  } catch {
    // 404 (a service without logout yet), 401 (already expired) or no network: the token is
    // dropped here all the same, which is all this browser can do.
  }
  session.token = null;
  location.hash = "#/";
  signedOut();
  announce("You are logged out.");
  byId("email").focus();
}

let searchTimer;
function onSearchInput() {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => renderSearch(byId("search").value.trim()).catch(handle), 200);
}

// ---------------------------------------------------------------- routing

async function route() {
  if (!session.token) return signedOut();
  clearError();
  byId("search-results")?.remove();
  const match = location.hash.match(/^#\/topics\/([a-z0-9-]+)$/);
  try {
    if (match) await renderTopic(match[1]);
    else {
      document.title = "skillpath";
      await renderPlan();
    }
  } catch (error) {
    handle(error);
  }
}

function start() {
  byId("main").prepend(h("p", { id: "status", class: "visually-hidden", role: "status" }));
  byId("sign-in-form").addEventListener("submit", onLogIn);
  byId("create-account").addEventListener("click", onCreateAccount);
  byId("logout").addEventListener("click", onLogOut);
  document.addEventListener(SIGNED_OUT, signedOut);
  byId("search").addEventListener("input", onSearchInput);
  byId("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(searchTimer);
    renderSearch(byId("search").value.trim()).catch(handle);
  });
  byId("search").addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      byId("search").value = "";
      renderSearch("").catch(handle);
    }
  });
  window.addEventListener("hashchange", () => {
    if (me) route();
  });
  if (session.token) signedIn().catch(handle);
  else signedOut();
}

start();
