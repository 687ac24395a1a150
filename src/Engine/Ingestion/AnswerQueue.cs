using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;

namespace SalesDash.Engine.Ingestion;

/// <summary>
/// Resumes the webhook door's waiting requests from one thread-pool item at a time instead of one item each. A group
/// commit answers up to a few hundred deliveries at once on the entity's thread; queued one by one, their resumptions
/// filled the pool's queue just as the tiles covering them went out, and a push waits behind that queue at each of its
/// three hops (bench/README, s13-relay). Here they wait in this queue, and the pool's queue holds one item for all of
/// them, so a push queued meanwhile waits for at most the one worker that is draining.
/// </summary>
internal sealed class AnswerQueue : IThreadPoolWorkItem
{
    private readonly ConcurrentQueue<(RecordAsk Ask, object Message, IActorRef Sender)> _answers = new();
    // Short beside a push's 250 ms budget (three hops), long beside what requeueing the item costs (well under a microsecond).
    private static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(1);

    private int _scheduled;

    public void Post(RecordAsk ask, object message, IActorRef sender)
    {
        _answers.Enqueue((ask, message, sender));
        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    void IThreadPoolWorkItem.Execute()
    {
        // A slice, then the rest goes behind whatever the pool queued meanwhile: a push never waits for more than one
        // slice at a hop, and a request whose code blocks (a channel's status write on SQLite) holds up a slice, not the
        // batch. The slice is the worker's own CPU time, not the business clock, hence the stopwatch.
        var started = Stopwatch.GetTimestamp();
        try
        {
            while (_answers.TryDequeue(out var answer))
            {
                // The request's code up to its next await runs here, inline (its task completes synchronously).
                answer.Ask.Complete(answer.Message, answer.Sender);
                if (Stopwatch.GetElapsedTime(started) >= Slice)
                {
                    break;
                }
            }
        }
        finally
        {
            if (!_answers.IsEmpty)
            {
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }
            else
            {
                Volatile.Write(ref _scheduled, 0);
                // An answer posted between the check and the reset found the flag still set and did not schedule.
                if (!_answers.IsEmpty && Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
                {
                    ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
                }
            }
        }
    }
}
