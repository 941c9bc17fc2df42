// Keeps a ReleaseBoard page alive on a wall that nobody touches for weeks.
//
// What the framework does by itself is not enough for a TV (docs/architecture.md; observed on ASP.NET Core 10):
//  - its reconnection gives up after about six minutes, and the template then waits for a visibility change
//    that a TV never fires;
//  - a reload while the server is still down lands on the browser's error page, whose own retries back off
//    to every half hour;
//  - two failures fire no reconnect event at all: the server dying between the prerendered HTML and the
//    circuit (the page looks fine but is frozen), and an unhandled error in a component (the error bar shows).
// So: reconnect forever with short intervals; when the circuit is lost, poll /readyz until the server
// answers and only then reload; and a watchdog covers the two silent cases, with a backoff so a page that
// fails on every load does not reload in a tight loop.
(function () {
    "use strict";

    const healthUrl = "readyz"; // ready, not just alive: the wall it reloads onto can read its data
    const circuitStartDeadlineMs = 15000;
    const reloadHistoryKey = "releaseboard.kiosk.reloads";

    let circuitOpened = false;
    let recovering = false;

    function setConnection(state) {
        document.documentElement.dataset.connection = state;
    }

    function sleep(ms) {
        return new Promise(resolve => setTimeout(resolve, ms));
    }

    async function serverAnswers() {
        try {
            const response = await fetch(healthUrl, { cache: "no-store", signal: AbortSignal.timeout(4000) });
            return response.ok;
        } catch {
            return false;
        }
    }

    // Reloads that happened in the last ten minutes decide how long to wait before the next one.
    function backoffBeforeReloadMs() {
        const now = Date.now();
        let history = [];
        try {
            history = JSON.parse(sessionStorage.getItem(reloadHistoryKey) || "[]").filter(t => now - t < 600000);
            history.push(now);
            sessionStorage.setItem(reloadHistoryKey, JSON.stringify(history));
        } catch {
            // Storage unavailable: no backoff memory, still recover.
        }
        const recent = history.length - 1;
        return recent <= 1 ? 0 : Math.min(120000, 2000 * 2 ** (recent - 1));
    }

    async function reloadWhenServerAnswers(reason) {
        if (recovering) return;
        recovering = true;
        setConnection("down");
        console.info("ReleaseBoard kiosk: recovering (" + reason + ")");

        let delay = 500;
        while (!(await serverAnswers())) {
            await sleep(delay);
            delay = Math.min(delay * 2, 3000);
        }
        const wait = backoffBeforeReloadMs();
        if (wait > 0) {
            await sleep(wait);
            while (!(await serverAnswers())) await sleep(3000);
        }
        location.reload();
    }

    function onReconnectStateChanged(event) {
        switch (event.detail.state) {
            case "show":
                setConnection("reconnecting");
                break;
            case "retrying":
                // Amber while a blip may heal by itself; red once the server itself does not answer.
                serverAnswers().then(answers => {
                    if (!recovering && document.documentElement.dataset.connection !== "live")
                        setConnection(answers ? "reconnecting" : "down");
                });
                break;
            case "hide":
                setConnection("live");
                break;
            case "paused":
                Blazor.resumeCircuit()
                    .then(resumed => { if (!resumed) reloadWhenServerAnswers("circuit could not resume"); })
                    .catch(() => reloadWhenServerAnswers("circuit resume failed"));
                break;
            case "failed":
            case "rejected":
            case "resume-failed":
                // The circuit is gone (server restarted, or retries exhausted): a fresh page is the only way back.
                reloadWhenServerAnswers("circuit " + event.detail.state);
                break;
        }
    }

    function watchErrorBar() {
        const errorBar = document.getElementById("blazor-error-ui");
        if (!errorBar) return;
        const check = () => {
            if (getComputedStyle(errorBar).display !== "none")
                reloadWhenServerAnswers("unhandled error in a component");
        };
        new MutationObserver(check).observe(errorBar, { attributes: true, attributeFilter: ["style", "class"] });
    }

    window.releaseBoardKiosk = {
        circuitOpened() {
            circuitOpened = true;
            setConnection("live");
            // A page that came up fine resets the reload backoff.
            setTimeout(() => { try { sessionStorage.removeItem(reloadHistoryKey); } catch { } }, 60000);
        },
    };

    document.getElementById("components-reconnect-modal")
        ?.addEventListener("components-reconnect-state-changed", onReconnectStateChanged);
    watchErrorBar();

    // Pages rendered without interactivity (the error page) never open a circuit; only interactive ones are watched.
    if (document.documentElement.dataset.interactive === "true") {
        setTimeout(() => {
            if (!circuitOpened) reloadWhenServerAnswers("circuit did not start");
        }, circuitStartDeadlineMs);
    }

    Blazor.start({
        circuit: {
            reconnectionOptions: {
                // Effectively forever; the attempt interval stays short so a wall is back seconds after the server.
                maxRetries: Number.MAX_SAFE_INTEGER,
                retryIntervalMilliseconds: previousAttempts => previousAttempts < 5 ? 500 : 2000,
            },
        },
    }).catch(error => reloadWhenServerAnswers("start failed: " + error));
})();
