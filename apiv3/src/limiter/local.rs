//! The limiter interface ([`Limiter`], what it is asked and what it grants), the in-process
//! [`LocalLimiter`], and what both built-in limiters share: the schedule's horizon, the
//! waiting room of callers whose slot lies beyond it, and giving an unused slot back. The
//! shared limiter implements the same interface; the client's settings choose one.
//!
//! The horizon and cancelled calls: see the [limiter module docs](crate::limiter).

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use crate::error::Error;

/// How far ahead a slot may be reserved unless configured otherwise (see the
/// [limiter module docs](crate::limiter#the-horizon)).
pub const DEFAULT_HORIZON: Duration = Duration::from_secs(1);

/// What a quota is counted per: the merchant the call is signed for and the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LimitKey<'a> {
    /// The merchant id (`mchid`) the call is signed for.
    pub mchid: &'a str,
    /// The operation id from the spec, e.g. `create_product_coupon`.
    pub operation: &'static str,
}

/// Which limiter granted a slot (a metrics label, see [`crate::metrics`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimiterSource {
    /// The in-process limiter, by configuration.
    Local,
    /// The shared limiter (Redis).
    Shared,
    /// The in-process limiter standing in for an unreachable shared one.
    Fallback,
}

impl LimiterSource {
    /// The label value: `local`, `shared` or `fallback`.
    pub fn as_str(self) -> &'static str {
        match self {
            LimiterSource::Local => "local",
            LimiterSource::Shared => "shared",
            LimiterSource::Fallback => "fallback",
        }
    }
}

/// A slot granted by a [`Limiter`]: send after `wait`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reservation {
    /// How long to wait before sending (zero: now). From [`Limiter::acquire`]: how long the
    /// caller waited, in all.
    pub wait: Duration,
    /// Which limiter granted it.
    pub source: LimiterSource,
}

/// The future a [`Limiter`] returns: `Ok(Some(_))` a reserved slot, `Ok(None)` no slot within
/// `max_wait` (nothing reserved), `Err(_)` the limiter cannot answer and the call must fail.
pub type ReserveFuture<'a> = Pin<Box<dyn Future<Output = Result<Option<Reservation>, Error>> + Send + 'a>>;

/// Decides when a call may be sent. Implementations reserve the slot they return, so
/// concurrent callers queue up instead of all waking at once.
pub trait Limiter: Send + Sync + 'static {
    /// Reserves one request for `key` at `rate` requests per second, if its slot is at most
    /// `max_wait` away. The built-in limiters reserve nothing beyond their horizon either
    /// (`Ok(None)`, see the [limiter module docs](crate::limiter#the-horizon)).
    fn reserve<'a>(&'a self, key: LimitKey<'a>, rate: u32, max_wait: Duration) -> ReserveFuture<'a>;

    /// Reserves one request and waits for its slot: what the client calls before every
    /// attempt. `Ok(Some(_))` once the slot has come (its `wait` is how long that took),
    /// `Ok(None)` at once when no slot can come within `max_wait`.
    ///
    /// The default reserves once and sleeps. The built-in limiters also wait their turn when
    /// the slot lies beyond their horizon, and give the slot back when this future is dropped
    /// before the slot came (see the [limiter module docs](crate::limiter#the-horizon)).
    fn acquire<'a>(&'a self, key: LimitKey<'a>, rate: u32, max_wait: Duration) -> ReserveFuture<'a> {
        Box::pin(async move {
            let Some(reservation) = self.reserve(key, rate, max_wait).await? else { return Ok(None) };
            if !reservation.wait.is_zero() {
                tokio::time::sleep(reservation.wait).await;
            }
            Ok(Some(reservation))
        })
    }
}

/// The spacing of one bucket's schedule (GCRA): one call per `interval`, and up to `burst`
/// calls at once after a pause (`tolerance` = `interval` × (`burst` − 1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pace {
    pub(crate) interval: Duration,
    pub(crate) tolerance: Duration,
}

impl Pace {
    /// `per_second` calls a second (any positive rate: 0.4 is one call every 2.5 s), up to
    /// `burst` (at least 1) at once after a pause.
    pub(crate) fn new(per_second: f64, burst: f64) -> Pace {
        // One call a year at the least: a zero or negative rate never divides by zero.
        let interval = Duration::from_secs_f64(1.0 / per_second.max(1.0 / 31_536_000.0));
        Pace { interval, tolerance: interval.mul_f64((burst - 1.0).max(0.0)) }
    }
}

/// One attempt at a reservation.
pub(crate) enum Attempt<'a> {
    /// Reserved: send after `wait`. `give_back` returns the slot if it goes unused.
    Reserved { wait: Duration, source: LimiterSource, give_back: Option<GiveBack<'a>> },
    /// The slot lies beyond the horizon: nothing reserved; it comes within the horizon after
    /// this long.
    Later(Duration),
    /// The slot lies beyond the caller's deadline: nothing reserved.
    Refused,
}

/// Returns an unused slot to its schedule (when nothing was reserved after it).
pub(crate) type GiveBack<'a> = Box<dyn FnOnce() + Send + 'a>;

/// Gives the slot back when dropped armed: the call was cancelled while waiting for it.
struct GiveBackOnDrop<'a>(Option<GiveBack<'a>>);

impl Drop for GiveBackOnDrop<'_> {
    fn drop(&mut self) {
        if let Some(give_back) = self.0.take() {
            give_back();
        }
    }
}

/// Callers whose slot lies beyond the horizon, per bucket, earliest deadline first (ties in
/// order of arrival). Only the first asks the limiter again; the others wait to be first.
#[derive(Debug, Default)]
pub(crate) struct WaitingRoom {
    state: Mutex<RoomState>,
}

#[derive(Debug, Default)]
struct RoomState {
    arrivals: u64,
    queues: HashMap<(String, &'static str), Queue>,
}

#[derive(Debug)]
struct Queue {
    waiting: BTreeSet<(Instant, u64)>,
    /// Woken whenever the first caller changes.
    first_changed: Arc<Notify>,
}

/// One caller's place in a [`WaitingRoom`]; leaving is dropping it.
struct Place<'r> {
    room: &'r WaitingRoom,
    bucket: (String, &'static str),
    id: (Instant, u64),
    first_changed: Arc<Notify>,
}

impl WaitingRoom {
    fn join(&self, key: LimitKey<'_>, deadline: Instant) -> Place<'_> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.arrivals += 1;
        let id = (deadline, state.arrivals);
        let bucket = (key.mchid.to_owned(), key.operation);
        let queue = state
            .queues
            .entry(bucket.clone())
            .or_insert_with(|| Queue { waiting: BTreeSet::new(), first_changed: Arc::new(Notify::new()) });
        queue.waiting.insert(id);
        let first_changed = Arc::clone(&queue.first_changed);
        if queue.waiting.first() == Some(&id) {
            first_changed.notify_waiters();
        }
        Place { room: self, bucket, id, first_changed }
    }

    /// How many callers wait for `key` (tests).
    #[cfg(test)]
    fn waiting(&self, key: LimitKey<'_>) -> usize {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.queues.get(&(key.mchid.to_owned(), key.operation)).map_or(0, |q| q.waiting.len())
    }
}

impl Place<'_> {
    fn is_first(&self) -> bool {
        let state = self.room.state.lock().unwrap_or_else(|p| p.into_inner());
        state.queues.get(&self.bucket).and_then(|q| q.waiting.first()) == Some(&self.id)
    }

    /// Returns when this caller should ask again: first in line, after `after` (or at once
    /// when it became first while waiting, or was displaced by an earlier deadline), and in
    /// any case by its deadline.
    async fn wait_turn(&self, mut after: Duration) {
        loop {
            let notified = self.first_changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.is_first() {
                tokio::select! {
                    () = tokio::time::sleep(after) => {}
                    () = &mut notified => {}
                }
                return;
            }
            if tokio::time::timeout_at(self.id.0.into(), notified).await.is_err() {
                return; // the deadline: the answer will be a refusal, or a slot after all
            }
            // The first caller changed: if it is this one, it asks at once.
            after = Duration::ZERO;
        }
    }
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        let mut state = self.room.state.lock().unwrap_or_else(|p| p.into_inner());
        let Some(queue) = state.queues.get_mut(&self.bucket) else { return };
        let was_first = queue.waiting.first() == Some(&self.id);
        queue.waiting.remove(&self.id);
        if queue.waiting.is_empty() {
            state.queues.remove(&self.bucket);
        } else if was_first {
            queue.first_changed.notify_waiters();
        }
    }
}

/// The built-in limiters' [`Limiter::acquire`]: attempts through `attempt(max_wait)`,
/// waiting in `room` while the slot lies beyond the horizon, then sleeps until the slot,
/// giving it back if dropped before.
pub(crate) async fn acquire_in_turn<'a, F, Fut>(
    room: &'a WaitingRoom,
    key: LimitKey<'a>,
    max_wait: Duration,
    mut attempt: F,
) -> Result<Option<Reservation>, Error>
where
    F: FnMut(Duration) -> Fut,
    Fut: Future<Output = Result<Attempt<'a>, Error>>,
{
    let started = Instant::now();
    let deadline = started.checked_add(max_wait).unwrap_or_else(|| started + Duration::from_secs(86_400 * 365));
    let mut place: Option<Place<'a>> = None;
    let mut waited_in_room = false;
    loop {
        match attempt(deadline.saturating_duration_since(Instant::now())).await? {
            Attempt::Reserved { wait, source, give_back } => {
                drop(place.take()); // the next in line asks now
                let mut guard = GiveBackOnDrop(give_back);
                if !wait.is_zero() {
                    tokio::time::sleep(wait).await;
                }
                guard.0 = None; // the slot came: it is used
                let waited =
                    if wait.is_zero() && !waited_in_room { Duration::ZERO } else { started.elapsed().max(wait) };
                return Ok(Some(Reservation { wait: waited, source }));
            }
            Attempt::Refused => return Ok(None),
            Attempt::Later(after) => {
                let place = place.get_or_insert_with(|| room.join(key, deadline));
                place.wait_turn(after).await;
                waited_in_room = true;
            }
        }
    }
}

/// The in-process limiter: one schedule per (merchant, operation), spaced at the quota with
/// up to one second's worth of calls at once after a pause (a token bucket holding a second's
/// worth), reserving no further ahead than its horizon. The default.
#[derive(Debug)]
pub struct LocalLimiter {
    buckets: Mutex<HashMap<(String, &'static str), Bucket>>,
    horizon: Duration,
    room: WaitingRoom,
}

#[derive(Debug)]
struct Bucket {
    /// When the schedule is next free (GCRA's theoretical arrival time).
    tat: Instant,
    /// The number of the last reservation (a reservation counts up, a slot given back counts
    /// down): a slot can be given back only while its number is the last, that is when
    /// nothing was reserved after it.
    top: u64,
}

impl Default for LocalLimiter {
    fn default() -> Self {
        LocalLimiter { buckets: Mutex::new(HashMap::new()), horizon: DEFAULT_HORIZON, room: WaitingRoom::default() }
    }
}

impl LocalLimiter {
    /// A limiter with empty schedules and the [`DEFAULT_HORIZON`].
    pub fn new() -> Self {
        Self::default()
    }

    /// How far ahead a slot may be reserved (see the [limiter module docs](crate::limiter#the-horizon)).
    pub fn horizon(mut self, horizon: Duration) -> Self {
        self.horizon = horizon;
        self
    }

    /// The synchronous reservation: the wait, if a slot is at most `max_wait` away and within
    /// the horizon; `None` (nothing reserved) otherwise.
    pub fn reserve_now(&self, key: LimitKey<'_>, rate: u32, max_wait: Duration) -> Option<Duration> {
        match self.schedule(key, Self::pace(rate), max_wait, Instant::now()) {
            Scheduled::Reserved { wait, .. } => Some(wait),
            Scheduled::Later(_) | Scheduled::Refused => None,
        }
    }

    /// The pace of a quota: `rate` a second, a second's worth at once after a pause.
    fn pace(rate: u32) -> Pace {
        let rate = f64::from(rate.max(1));
        Pace::new(rate, rate)
    }

    /// One attempt on `key`'s schedule at `pace`, as the waiting loop takes it.
    pub(crate) fn attempt(
        &self,
        key: LimitKey<'_>,
        pace: Pace,
        max_wait: Duration,
        source: LimiterSource,
    ) -> Attempt<'_> {
        match self.schedule(key, pace, max_wait, Instant::now()) {
            Scheduled::Reserved { wait, top } => {
                let bucket = (key.mchid.to_owned(), key.operation);
                let give_back: GiveBack<'_> = Box::new(move || self.give_back(&bucket, top, pace));
                Attempt::Reserved { wait, source, give_back: Some(give_back) }
            }
            Scheduled::Later(after) => Attempt::Later(after),
            Scheduled::Refused => Attempt::Refused,
        }
    }

    /// GCRA at `now`: the slot is `tolerance` before the schedule's next free time; reserve
    /// it (moving the schedule on by one interval) if it is within `max_wait` and the horizon.
    fn schedule(&self, key: LimitKey<'_>, pace: Pace, max_wait: Duration, now: Instant) -> Scheduled {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let bucket = buckets.entry((key.mchid.to_owned(), key.operation)).or_insert(Bucket { tat: now, top: 0 });
        let tat = bucket.tat.max(now);
        let wait = tat.saturating_duration_since(now).saturating_sub(pace.tolerance);
        if wait > max_wait {
            return Scheduled::Refused;
        }
        if wait > self.horizon {
            return Scheduled::Later(wait - self.horizon);
        }
        bucket.tat = tat + pace.interval;
        bucket.top += 1;
        Scheduled::Reserved { wait, top: bucket.top }
    }

    /// Returns the reservation that made the schedule's `top`, if it is still the last one.
    fn give_back(&self, bucket: &(String, &'static str), top: u64, pace: Pace) {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(b) = buckets.get_mut(bucket)
            && b.top == top
            && let Some(tat) = b.tat.checked_sub(pace.interval)
        {
            b.tat = tat;
            b.top -= 1;
        }
    }
}

enum Scheduled {
    Reserved { wait: Duration, top: u64 },
    Later(Duration),
    Refused,
}

impl Limiter for LocalLimiter {
    fn reserve<'a>(&'a self, key: LimitKey<'a>, rate: u32, max_wait: Duration) -> ReserveFuture<'a> {
        let granted = self.reserve_now(key, rate, max_wait);
        Box::pin(async move { Ok(granted.map(|wait| Reservation { wait, source: LimiterSource::Local })) })
    }

    fn acquire<'a>(&'a self, key: LimitKey<'a>, rate: u32, max_wait: Duration) -> ReserveFuture<'a> {
        let pace = Self::pace(rate);
        Box::pin(acquire_in_turn(&self.room, key, max_wait, move |max_wait| {
            std::future::ready(Ok(self.attempt(key, pace, max_wait, LimiterSource::Local)))
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: LimitKey<'static> = LimitKey { mchid: "1900000001", operation: "op" };
    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn reserved(s: Scheduled) -> Duration {
        match s {
            Scheduled::Reserved { wait, .. } => wait,
            Scheduled::Later(after) => panic!("later by {after:?}"),
            Scheduled::Refused => panic!("refused"),
        }
    }

    #[test]
    fn a_second_worth_at_once_then_spaced_at_the_quota() {
        let limiter = LocalLimiter::new();
        let t0 = Instant::now();
        let pace = LocalLimiter::pace(5);
        for _ in 0..5 {
            assert_eq!(reserved(limiter.schedule(KEY, pace, Duration::ZERO, t0)), Duration::ZERO);
        }
        assert!(matches!(limiter.schedule(KEY, pace, ms(199), t0), Scheduled::Refused), "the next is 200 ms away");
        assert_eq!(reserved(limiter.schedule(KEY, pace, ms(200), t0)), ms(200), "nothing was taken by the refusal");
        assert_eq!(reserved(limiter.schedule(KEY, pace, ms(400), t0)), ms(400));
        let other = LimitKey { mchid: "1900000002", operation: "op" };
        assert_eq!(reserved(limiter.schedule(other, pace, Duration::ZERO, t0)), Duration::ZERO);
    }

    #[test]
    fn nothing_is_reserved_beyond_the_horizon() {
        let limiter = LocalLimiter::new().horizon(ms(500));
        let t0 = Instant::now();
        let pace = Pace::new(2.0, 1.0); // one every 500 ms
        let long = Duration::from_secs(60);
        assert_eq!(reserved(limiter.schedule(KEY, pace, long, t0)), Duration::ZERO);
        assert_eq!(reserved(limiter.schedule(KEY, pace, long, t0)), ms(500), "exactly at the horizon");
        for _ in 0..10 {
            match limiter.schedule(KEY, pace, long, t0) {
                Scheduled::Later(after) => assert_eq!(after, ms(500), "asks again once the slot is within it"),
                _ => panic!("a minute's deadline still reserves nothing beyond the horizon"),
            }
        }
        // A short deadline sees the same schedule: the long-deadline callers booked nothing more.
        assert!(matches!(limiter.schedule(KEY, pace, ms(999), t0), Scheduled::Refused));
        assert_eq!(reserved(limiter.schedule(KEY, pace, long, t0 + ms(500))), ms(500));
    }

    #[test]
    fn a_rate_below_one_a_second_is_one_call_per_so_many_seconds() {
        let limiter = LocalLimiter::new().horizon(Duration::from_secs(10));
        let t0 = Instant::now();
        let pace = Pace::new(2.0 / 5.0, 1.0);
        assert_eq!(pace.interval, ms(2500));
        assert_eq!(reserved(limiter.schedule(KEY, pace, Duration::ZERO, t0)), Duration::ZERO);
        assert_eq!(reserved(limiter.schedule(KEY, pace, Duration::from_secs(10), t0)), ms(2500));
        assert_eq!(reserved(limiter.schedule(KEY, pace, Duration::from_secs(10), t0)), ms(5000));
    }

    #[test]
    fn only_the_last_reservation_can_be_given_back() {
        let limiter = LocalLimiter::new();
        let pace = Pace::new(10.0, 1.0);
        let long = Duration::from_secs(1);
        let Attempt::Reserved { give_back: Some(first), .. } = limiter.attempt(KEY, pace, long, LimiterSource::Local)
        else {
            panic!()
        };
        let Attempt::Reserved { wait, give_back: Some(second), .. } =
            limiter.attempt(KEY, pace, long, LimiterSource::Local)
        else {
            panic!()
        };
        assert!(wait > ms(50), "{wait:?}");
        second();
        let Attempt::Reserved { wait: again, give_back: Some(third), .. } =
            limiter.attempt(KEY, pace, long, LimiterSource::Local)
        else {
            panic!()
        };
        assert!(again <= wait, "the slot given back is the next one granted: {again:?} after {wait:?}");
        // The first is not the last any more: giving it back would double-book the third's time.
        let before = limiter.buckets.lock().unwrap().values().next().unwrap().tat;
        first();
        assert_eq!(limiter.buckets.lock().unwrap().values().next().unwrap().tat, before);
        drop(third);
    }

    #[tokio::test]
    async fn a_cancelled_wait_gives_its_slot_back() {
        let limiter = Arc::new(LocalLimiter::new());
        // Rate 1: the first is at once, the second a second away.
        assert!(limiter.acquire(KEY, 1, Duration::ZERO).await.unwrap().is_some());
        let tat = |l: &LocalLimiter| l.buckets.lock().unwrap().values().next().unwrap().tat;
        let before = tat(&limiter);
        let waiting = tokio::spawn({
            let limiter = Arc::clone(&limiter);
            async move { limiter.acquire(KEY, 1, Duration::from_secs(60)).await }
        });
        while tat(&limiter) == before {
            tokio::task::yield_now().await;
        }
        waiting.abort();
        assert!(waiting.await.unwrap_err().is_cancelled());
        assert_eq!(tat(&limiter), before, "the slot is back");
    }

    #[tokio::test]
    async fn short_deadlines_go_first_among_callers_beyond_the_horizon() {
        let limiter = Arc::new(LocalLimiter::new().horizon(ms(100)));
        let long = Duration::from_secs(600);
        // A burst of 100 long-deadline calls at 10/s (ten seconds' worth): the first ten at
        // once, one within the horizon, the rest wait in the room.
        let mut batch = Vec::new();
        for _ in 0..100 {
            let limiter = Arc::clone(&limiter);
            batch.push(tokio::spawn(async move { limiter.acquire(KEY, 10, long).await }));
        }
        while limiter.room.waiting(KEY) < 80 {
            tokio::task::yield_now().await;
        }
        // Reserving up to each caller's deadline, the batch would have booked ten seconds and
        // this call been refused at once; here it goes first among those waiting.
        let short = limiter.acquire(KEY, 10, Duration::from_secs(3)).await.unwrap();
        assert!(short.is_some(), "the short call got a slot within its deadline, ahead of the batch");
        for task in batch {
            task.abort();
        }
    }
}
