using Akka.Actor;
using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Ingestion;

/// <summary>
/// The temporary actor a webhook's <see cref="TenantStore.Record"/> is sent from: the entity's answer (or its
/// <see cref="Status.Failure"/>) completes <see cref="Answer"/> exactly as Akka's <c>Ask</c> would, since it is Akka's own
/// future ref. It exists because <c>Ask</c> also hangs its clean-up on the answer's task as a second continuation, which
/// <c>RunContinuationsAsynchronously</c> queues as a thread-pool item of its own: two items per answer, so a group commit
/// of 255 answered at once put ~510 items on the pool's queue ahead of the tile pushes (bench/README, s13-relay). The
/// door does the clean-up after its <c>await</c> instead, in the one item that resumes it.
/// </summary>
internal sealed class RecordAsk : FutureActorRef<TenantStore.Recorded>
{
    private readonly TaskCompletionSource<TenantStore.Recorded> _answer;
    private readonly TimeSpan _timeout;

    private RecordAsk(TaskCompletionSource<TenantStore.Recorded> answer, TimeSpan timeout, IActorRefProvider provider)
        : base(answer, provider.TempPath(), provider)
    {
        _answer = answer;
        _timeout = timeout;
    }

    /// <summary>Completes the answer's waiter on the thread pool, never on the entity's thread that answers.</summary>
    public static RecordAsk Create(IActorRefProvider provider, TimeSpan timeout) =>
        new(new TaskCompletionSource<TenantStore.Recorded>(TaskCreationOptions.RunContinuationsAsynchronously), timeout, provider);

    public Task<TenantStore.Recorded> Answer => _answer.Task;

    // Static, with the ask as their state, so registering them allocates no closure per webhook.
    public static readonly Action<object?> TimeOut = static ask => ((RecordAsk)ask!).TimedOut();

    public static readonly Action<object?> Cancel = static ask => ((RecordAsk)ask!)._answer.TrySetCanceled();

    // The same exception and text as Akka's Ask, which the webhook door answers with 503.
    private void TimedOut() => _answer.TrySetException(new AskTimeoutException($"Timeout after {(TimeSpan?)_timeout} seconds"));
}
