using Akka.Actor;
using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Ingestion;

/// <summary>
/// The temporary actor a webhook's <see cref="TenantStore.Record"/> is sent from: the entity's answer (or its
/// <see cref="Status.Failure"/>) completes <see cref="Answer"/> exactly as Akka's <c>Ask</c> would, since it is Akka's own
/// future ref. It exists because <c>Ask</c> also hangs its clean-up on the answer's task as a second continuation, which
/// <c>RunContinuationsAsynchronously</c> queues as a thread-pool item of its own: two items per answer, so a group commit
/// of 255 answered at once put ~510 items on the pool's queue ahead of the tile pushes (bench/README, s13-relay). The
/// door does the clean-up after its <c>await</c> instead, in the item that resumes it; with an <see cref="AnswerQueue"/>
/// the answers of a whole group commit resume their requests from one item.
/// </summary>
internal sealed class RecordAsk : FutureActorRef<TenantStore.Recorded>
{
    private readonly TaskCompletionSource<TenantStore.Recorded> _answer;
    private readonly TimeSpan _timeout;
    private readonly AnswerQueue? _queue;

    private RecordAsk(TaskCompletionSource<TenantStore.Recorded> answer, TimeSpan timeout, AnswerQueue? queue, IActorRefProvider provider)
        : base(answer, provider.TempPath(), provider)
    {
        _answer = answer;
        _timeout = timeout;
        _queue = queue;
    }

    /// <summary>
    /// Without a queue the answer's waiter resumes as a thread-pool item of its own; with one, inside the queue's item.
    /// Never on the thread that answers: that is the entity's, or a timer's, or the request's canceller.
    /// </summary>
    public static RecordAsk Create(IActorRefProvider provider, TimeSpan timeout, AnswerQueue? queue) =>
        new(new TaskCompletionSource<TenantStore.Recorded>(queue is null ? TaskCreationOptions.RunContinuationsAsynchronously : TaskCreationOptions.None),
            timeout, queue, provider);

    public Task<TenantStore.Recorded> Answer => _answer.Task;

    // Static, with the ask as their state, so registering them allocates no closure per webhook.
    public static readonly Action<object?> TimeOut = static ask => ((RecordAsk)ask!).TellInternal(Ended.TimedOut, ActorRefs.Nobody);

    public static readonly Action<object?> Cancel = static ask => ((RecordAsk)ask!).TellInternal(Ended.Cancelled, ActorRefs.Nobody);

    protected override void TellInternal(object message, IActorRef sender)
    {
        if (_queue is null)
        {
            Complete(message, sender);
        }
        else
        {
            _queue.Post(this, message, sender);
        }
    }

    /// <summary>Ends the ask as Akka's future ref does: the answer, a failure's cause (a timeout's included), or cancelled.</summary>
    public void Complete(object message, IActorRef sender)
    {
        // The timeout and the cancellation end the ask as Akka's do, and like Akka's say nothing if it has already ended.
        if (ReferenceEquals(message, Ended.TimedOut))
        {
            _answer.TrySetException(new AskTimeoutException($"Timeout after {_timeout.TotalSeconds:F2} seconds"));
        }
        else if (ReferenceEquals(message, Ended.Cancelled))
        {
            _answer.TrySetCanceled();
        }
        else
        {
            base.TellInternal(message, sender);
        }
    }

    /// <summary>The ask's own ends, passed through the same queue as the entity's answers.</summary>
    private sealed class Ended
    {
        public static readonly Ended TimedOut = new();
        public static readonly Ended Cancelled = new();
    }
}
