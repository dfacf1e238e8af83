//! The watcher's request budget per gateway.

use std::time::{Duration, Instant};

use crate::gateway::GatewayKind;

/// A shared request budget for one gateway: a token bucket the watcher
/// draws from before each call. Calls the cashier makes (charges, quotes)
/// do not wait for it: the budget is set below the documented limit so
/// that what is left is theirs.
pub struct Budget {
    per_minute: u32,
    state: std::sync::Mutex<BudgetState>,
}

struct BudgetState {
    tokens: f64,
    at: Instant,
    paused_until: Option<Instant>,
}

impl Budget {
    /// The watcher's share of a gateway's limit. CoinGate: 200 requests a
    /// minute per API app on private endpoints (gateways.md, "Round 2");
    /// the watcher keeps to 120, leaving 80 for the counter. Counos
    /// publishes no limit; 120 a minute is a polite pace. The demo gateway
    /// is on this computer.
    pub fn for_gateway(kind: GatewayKind) -> Self {
        let per_minute = match kind {
            GatewayKind::Coingate | GatewayKind::CoingateSandbox => 120,
            GatewayKind::Counos => 120,
            GatewayKind::Demo => 600,
        };
        Self::per_minute(per_minute)
    }

    pub fn per_minute(per_minute: u32) -> Self {
        Self {
            per_minute,
            state: std::sync::Mutex::new(BudgetState {
                // A small burst: a restart with several open sales asks
                // about them at once, not one every half second.
                tokens: burst(per_minute),
                at: Instant::now(),
                paused_until: None,
            }),
        }
    }

    /// Takes one request from the budget if one is left.
    pub fn try_take(&self) -> bool {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if s.paused_until.is_some_and(|until| now < until) {
            return false;
        }
        let refill = now.duration_since(s.at).as_secs_f64() * f64::from(self.per_minute) / 60.0;
        s.tokens = (s.tokens + refill).min(burst(self.per_minute));
        s.at = now;
        if s.tokens >= 1.0 {
            s.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// The gateway said "too many requests": nothing from the watcher for a while.
    pub fn pause(&self, pause: Duration) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.paused_until = Some(Instant::now() + pause);
        s.tokens = 0.0;
    }
}

fn burst(per_minute: u32) -> f64 {
    (f64::from(per_minute) / 12.0).max(1.0)
}
