//! Item streams over paginated list operations.
//!
//! Every list operation of every API gets a `<operation>_stream` method (generated from the
//! spec: `xtask/codegen/src/paginate.rs` finds the operations by their parameters and response
//! shapes). The stream fetches one page at a time, only when the consumer has taken the items
//! of the page before, so memory stays bounded by one page whatever the list's length. A page
//! that fails ends the stream with that error.
//!
//! The styles the five APIs use:
//! - **token**: `pageToken`/`pageSize`, the answer's `nextPageToken` (`""` at the end);
//! - **offset**: `limit`/`offset` and `total_entries`. A server may cap `limit`
//!   silently (100 by default), so the next offset advances by what actually came back;
//! - **after**: `starting_after` = the last item's id, with `limit`;
//! - **page**: `page` (from 1) and `limit`; a short page is the last;
//! - **whole** (any list without paging parameters): one answer holds it all.
//!
//! A server that hands out a cursor it handed out before (`A → B → A`) would page forever: the
//! token and after styles remember the cursors seen (at most [`MAX_REMEMBERED_CURSORS`], as
//! 64-bit hashes) and end the stream with an error at the first repeat.

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::hash::{Hash, Hasher};

use futures::stream::{self, BoxStream, Stream, StreamExt, TryStreamExt};

/// The items of a list, one page in memory at a time.
pub type ItemStream<'a, T, E> = BoxStream<'a, Result<T, E>>;

/// Where the next page starts.
#[derive(Clone, Debug)]
enum Next<C, E> {
    At(C),
    Done,
    /// The page's items are yielded, then the stream ends with this error.
    Fail(E),
}

/// Pages until `fetch` says there are no more; each page's items are yielded in order.
fn pages<'a, C, T, E, Fut>(
    first: C,
    mut fetch: impl FnMut(C) -> Fut + Send + 'a,
) -> ItemStream<'a, T, E>
where
    C: Send + 'a,
    T: Send + 'a,
    E: Send + 'a,
    Fut: Future<Output = Result<(Vec<T>, Next<C, E>), E>> + Send + 'a,
{
    stream::try_unfold(Next::At(first), move |next| {
        let call = match next {
            Next::At(cursor) => Ok(Some(fetch(cursor))),
            Next::Done => Ok(None),
            Next::Fail(e) => Err(e),
        };
        async move {
            match call? {
                None => Ok(None),
                Some(call) => {
                    let (items, next) = call.await?;
                    Ok(Some((items, next)))
                }
            }
        }
    })
    .map_ok(|items: Vec<T>| stream::iter(items.into_iter().map(Ok)))
    .try_flatten()
    .boxed()
}

/// Cursors a stream remembers to notice a server that repeats one.
pub const MAX_REMEMBERED_CURSORS: usize = 10_000;

/// The cursors a stream has seen, as hashes, at most [`MAX_REMEMBERED_CURSORS`] of them.
#[derive(Default)]
struct Seen {
    order: VecDeque<u64>,
    set: HashSet<u64>,
}

impl Seen {
    /// Remembers `cursor`; `false` when it was seen before.
    fn first_time(&mut self, cursor: &str) -> bool {
        // SipHash with fixed keys: the same on every run.
        let mut hasher = std::hash::DefaultHasher::new();
        cursor.hash(&mut hasher);
        let hash = hasher.finish();
        if !self.set.insert(hash) {
            return false;
        }
        self.order.push_back(hash);
        if self.order.len() > MAX_REMEMBERED_CURSORS
            && let Some(old) = self.order.pop_front()
        {
            self.set.remove(&old);
        }
        true
    }
}

/// Token style: `fetch(token)` answers `(items, next_token)`; the list ends at a missing or
/// empty token or an empty page. A token the server sent before ends it with `repeated()`.
pub fn by_token<'a, T, E, Fut>(
    repeated: impl Fn() -> E + Send + Sync + 'a,
    mut fetch: impl FnMut(Option<String>) -> Fut + Send + 'a,
) -> ItemStream<'a, T, E>
where
    T: Send + 'a,
    E: Send + 'a,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), E>> + Send + 'a,
{
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Seen::default()));
    let repeated = std::sync::Arc::new(repeated);
    pages(None::<String>, move |token: Option<String>| {
        let call = fetch(token);
        let (seen, repeated) = (seen.clone(), repeated.clone());
        async move {
            let (items, next) = call.await?;
            let next = match next.filter(|t| !t.is_empty()) {
                Some(t) if !items.is_empty() => {
                    if seen
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .first_time(&t)
                    {
                        Next::At(Some(t))
                    } else {
                        Next::Fail(repeated())
                    }
                }
                _ => Next::Done,
            };
            Ok((items, next))
        }
    })
}

/// Offset style: `fetch(offset)` answers `(items, total)`; the next offset is this one plus the
/// items that actually came back (servers cap the page size without saying so). The list ends
/// at an empty page or once `total` items have been seen (a short page ends it when the total
/// is unknown).
pub fn by_offset<'a, T, E, Fut>(
    page_size: u64,
    mut fetch: impl FnMut(u64) -> Fut + Send + 'a,
) -> ItemStream<'a, T, E>
where
    T: Send + 'a,
    E: Send + 'a,
    Fut: Future<Output = Result<(Vec<T>, Option<u64>), E>> + Send + 'a,
{
    pages(0u64, move |offset: u64| {
        let call = fetch(offset);
        async move {
            let (items, total) = call.await?;
            let seen = offset + items.len() as u64;
            let more = match total {
                Some(total) => seen < total,
                None => items.len() as u64 >= page_size,
            };
            let next = if items.is_empty() || !more {
                Next::Done
            } else {
                Next::At(seen)
            };
            Ok((items, next))
        }
    })
}

/// After style: `fetch(after)` answers a page; `key` gives an item's id, and the last item's
/// id is where the next page starts. A page shorter than `page_size` is the last. A last id
/// seen before ends the stream with `repeated()`.
pub fn by_last_key<'a, T, E, Fut>(
    page_size: u64,
    key: impl Fn(&T) -> Option<String> + Send + Sync + 'a,
    repeated: impl Fn() -> E + Send + Sync + 'a,
    mut fetch: impl FnMut(Option<String>) -> Fut + Send + 'a,
) -> ItemStream<'a, T, E>
where
    T: Send + 'a,
    E: Send + 'a,
    Fut: Future<Output = Result<Vec<T>, E>> + Send + 'a,
{
    let key = std::sync::Arc::new(key);
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Seen::default()));
    let repeated = std::sync::Arc::new(repeated);
    pages(None::<String>, move |after: Option<String>| {
        let call = fetch(after);
        let (key, seen, repeated) = (key.clone(), seen.clone(), repeated.clone());
        async move {
            let items = call.await?;
            let last = items.last().and_then(|i| key(i));
            let next = match last {
                Some(k) if items.len() as u64 >= page_size => {
                    if seen
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .first_time(&k)
                    {
                        Next::At(Some(k))
                    } else {
                        Next::Fail(repeated())
                    }
                }
                _ => Next::Done,
            };
            Ok((items, next))
        }
    })
}

/// Page-number style: `fetch(page)` from page 1; a page shorter than `page_size` is the last.
pub fn by_page_number<'a, T, E, Fut>(
    page_size: u64,
    mut fetch: impl FnMut(u64) -> Fut + Send + 'a,
) -> ItemStream<'a, T, E>
where
    T: Send + 'a,
    E: Send + 'a,
    Fut: Future<Output = Result<Vec<T>, E>> + Send + 'a,
{
    pages(1u64, move |page: u64| {
        let call = fetch(page);
        async move {
            let items = call.await?;
            let next = if (items.len() as u64) < page_size || items.is_empty() {
                Next::Done
            } else {
                Next::At(page + 1)
            };
            Ok((items, next))
        }
    })
}

/// Whole style: one answer holds the list.
pub fn whole<'a, T, E, Fut>(fetch: Fut) -> ItemStream<'a, T, E>
where
    T: Send + 'a,
    E: Send + 'a,
    Fut: Future<Output = Result<Vec<T>, E>> + Send + 'a,
{
    stream::once(fetch)
        .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
}

/// Collecting an item stream.
pub trait CollectItems<T, E>: Stream<Item = Result<T, E>> + Sized {
    /// All items, or the first `max` of them (no page beyond the one holding item `max` is
    /// fetched); the first error ends the collection.
    fn collect_items(self, max: Option<usize>) -> impl Future<Output = Result<Vec<T>, E>> {
        async move {
            match max {
                Some(max) => self.take(max).try_collect().await,
                None => self.try_collect().await,
            }
        }
    }
}

impl<S, T, E> CollectItems<T, E> for S where S: Stream<Item = Result<T, E>> + Sized {}

/// The pieces of a page the generated stream methods read, whatever shape typify gave them
/// (`T` or `Option<T>`).
pub mod parts {
    /// A page's item list.
    pub fn items<T>(v: impl Into<Items<T>>) -> Vec<T> {
        v.into().0
    }
    /// `Vec<T>` or `Option<Vec<T>>`.
    pub struct Items<T>(pub Vec<T>);
    impl<T> From<Vec<T>> for Items<T> {
        fn from(v: Vec<T>) -> Self {
            Self(v)
        }
    }
    impl<T> From<Option<Vec<T>>> for Items<T> {
        fn from(v: Option<Vec<T>>) -> Self {
            Self(v.unwrap_or_default())
        }
    }

    /// A next-page token, `String` or `Option<String>`.
    pub fn token(v: impl Into<Token>) -> Option<String> {
        v.into().0
    }
    /// See [`token`].
    pub struct Token(pub Option<String>);
    impl From<String> for Token {
        fn from(v: String) -> Self {
            Self(Some(v))
        }
    }
    impl From<Option<String>> for Token {
        fn from(v: Option<String>) -> Self {
            Self(v)
        }
    }

    /// A total count, any integer type, optional or not; negative counts as unknown.
    pub fn count(v: impl Into<Count>) -> Option<u64> {
        v.into().0
    }
    /// See [`count`].
    pub struct Count(pub Option<u64>);
    macro_rules! count_from {
        ($($t:ty),*) => {$(
            impl From<$t> for Count {
                fn from(v: $t) -> Self {
                    Self(u64::try_from(v).ok())
                }
            }
            impl From<Option<$t>> for Count {
                fn from(v: Option<$t>) -> Self {
                    Self(v.and_then(|v| u64::try_from(v).ok()))
                }
            }
        )*};
    }
    count_from!(i32, i64, u32, u64);

    /// An item's id for the after style (`String`, `Option<String>`, or a uuid).
    pub fn key(v: impl Into<Key>) -> Option<String> {
        v.into().0
    }
    /// See [`key`].
    pub struct Key(pub Option<String>);
    impl From<&String> for Key {
        fn from(v: &String) -> Self {
            Self(Some(v.clone()))
        }
    }
    impl From<&Option<String>> for Key {
        fn from(v: &Option<String>) -> Self {
            Self(v.clone())
        }
    }
    impl From<&uuid::Uuid> for Key {
        fn from(v: &uuid::Uuid) -> Self {
            Self(Some(v.to_string()))
        }
    }
    impl From<&Option<uuid::Uuid>> for Key {
        fn from(v: &Option<uuid::Uuid>) -> Self {
            Self(v.map(|u| u.to_string()))
        }
    }
}
