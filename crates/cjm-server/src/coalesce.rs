//! Gathers a websocket connection's writes until it flushes, so that
//! everything forwarded at once leaves in one `write` system call.
//!
//! tungstenite writes each frame to its stream as soon as it is queued (we
//! set its own write buffer to zero: that buffer would keep the size of the
//! largest burst for the connection's life). On a board with a thousand
//! people, one frame per system call makes the kernel's per-segment work
//! the server's main cost. This buffer lives only between a burst and its
//! flush: it is released afterwards unless it is tiny.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Beyond this, a burst is written out before more is gathered.
const MAX_GATHERED: usize = 64 * 1024;
/// A buffer this small is kept for the next burst instead of freed.
const KEEP: usize = 256;

pub struct Coalesce<S> {
    inner: S,
    buf: Vec<u8>,
    /// How much of `buf` is already written.
    sent: usize,
}

impl<S> Coalesce<S> {
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            buf: Vec::new(),
            sent: 0,
        }
    }
}

impl<S: AsyncWrite + Unpin> Coalesce<S> {
    /// Writes out everything gathered.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.sent < self.buf.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.buf[self.sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.sent += n;
        }
        self.sent = 0;
        if self.buf.capacity() > KEEP {
            self.buf = Vec::new();
        } else {
            self.buf.clear();
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Coalesce<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Coalesce<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.buf.len() + data.len() > MAX_GATHERED {
            ready!(this.poll_drain(cx))?;
            if data.len() > MAX_GATHERED {
                return Pin::new(&mut this.inner).poll_write(cx, data);
            }
        }
        this.buf.extend_from_slice(data);
        Poll::Ready(Ok(data.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn writes_leave_together_at_flush_and_in_order() {
        let (a, mut b) = tokio::io::duplex(1 << 20);
        let mut w = Coalesce::new(a);
        w.write_all(b"one ").await.unwrap();
        w.write_all(b"two").await.unwrap();
        let mut got = [0u8; 7];
        // Nothing has left before the flush.
        let early = tokio::time::timeout(
            std::time::Duration::from_millis(50),
            b.read_exact(&mut got[..1]),
        )
        .await;
        assert!(early.is_err(), "data left before the flush");
        w.flush().await.unwrap();
        b.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"one two");
        assert_eq!(w.buf.capacity(), 8, "a tiny buffer is kept");
    }

    #[tokio::test]
    async fn a_big_burst_is_written_through_and_its_buffer_released() {
        let (a, mut b) = tokio::io::duplex(1 << 20);
        let mut w = Coalesce::new(a);
        let chunk = vec![7u8; 1000];
        for _ in 0..200 {
            w.write_all(&chunk).await.unwrap();
        }
        w.write_all(&vec![9u8; 100_000]).await.unwrap();
        w.flush().await.unwrap();
        assert_eq!(w.buf.capacity(), 0, "the burst's buffer is freed");
        let mut got = vec![0u8; 300_000];
        b.read_exact(&mut got).await.unwrap();
        assert!(got[..200_000].iter().all(|&x| x == 7));
        assert!(got[200_000..].iter().all(|&x| x == 9));
    }
}
