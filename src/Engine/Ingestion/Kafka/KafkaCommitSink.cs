using Akka.Event;
using Akka.Streams;
using Akka.Streams.Stage;

namespace SalesDash.Engine.Ingestion.Kafka;

/// <summary>
/// End of the ingestion stream: takes how many records the entities have folded and commits the highest contiguous
/// processed offset per partition (processed: durable at its entity, as <see cref="OffsetTracker"/> was told), batched
/// by time or count, one commit at a time.
/// On completion or failure it commits what is processed before finishing; the materialized task reports
/// the stream's end.
/// </summary>
internal sealed class KafkaCommitSink : GraphStageWithMaterializedValue<SinkShape<int>, Task>
{
    private readonly KafkaConsumerDriver _driver;
    private readonly OffsetTracker _tracker;
    private readonly TimeSpan _interval;
    private readonly int _batchSize;

    public KafkaCommitSink(KafkaConsumerDriver driver, OffsetTracker tracker, TimeSpan interval, int batchSize)
    {
        _driver = driver;
        _tracker = tracker;
        _interval = interval;
        _batchSize = batchSize;
        Shape = new SinkShape<int>(In);
    }

    public Inlet<int> In { get; } = new("kafka.commit.in");

    public override SinkShape<int> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("kafka-commit-sink");

    public override ILogicAndMaterializedValue<Task> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return new LogicAndMaterializedValue<Task>(new Logic(this, completion), completion.Task);
    }

    private sealed class Logic : TimerGraphStageLogic, IInHandler
    {
        private const string CommitTimer = "commit";

        private readonly KafkaCommitSink _stage;
        private readonly TaskCompletionSource _completion;
        private Action<Task> _onCommitted = _ => { };
        private int _sinceCommit;
        private bool _committing;
        private bool _commitAgain;
        private bool _finishing;
        private Exception? _failure;

        public Logic(KafkaCommitSink stage, TaskCompletionSource completion)
            : base(stage.Shape)
        {
            _stage = stage;
            _completion = completion;
            SetHandler(stage.In, this);
        }

        public override void PreStart()
        {
            _onCommitted = GetAsyncCallback<Task>(OnCommitted);
            // Once upstream finishes the inlet is closed; without this the stage would stop before its final commit lands.
            SetKeepGoing(true);
            ScheduleRepeatedly(CommitTimer, _stage._interval);
            Pull(_stage.In);
        }

        public void OnPush()
        {
            _sinceCommit += Grab(_stage.In);
            if (_sinceCommit >= _stage._batchSize)
            {
                Commit();
            }

            Pull(_stage.In);
        }

        public void OnUpstreamFinish() => Finish(null);

        public void OnUpstreamFailure(Exception e) => Finish(e);

        public override void PostStop() =>
            _completion.TrySetException(new AbruptStageTerminationException(this));

        protected override void OnTimer(object timerKey) => Commit();

        private void Finish(Exception? failure)
        {
            // What is processed is durable whatever made the stream end, so it is committed either way.
            _finishing = true;
            _failure = failure;
            Commit();
            if (!_committing)
            {
                Complete();
            }
        }

        private void Commit()
        {
            if (_committing)
            {
                _commitAgain = true;
                return;
            }

            var offsets = _stage._tracker.Committable();
            if (offsets.Count == 0)
            {
                return;
            }

            _committing = true;
            _sinceCommit = 0;
            _stage._driver.CommitAsync(offsets).ContinueWith(_onCommitted, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        private void OnCommitted(Task commit)
        {
            _committing = false;
            if (commit.IsFaulted)
            {
                // The offsets stay committable; the next tick (or the final commit) tries again.
                Log.Warning(commit.Exception!.GetBaseException(), "Kafka offset commit failed; retrying with the next batch");
            }

            if (_commitAgain)
            {
                _commitAgain = false;
                if (!commit.IsFaulted || !_finishing)
                {
                    Commit();
                }
            }

            if (_finishing && !_committing)
            {
                Complete();
            }
        }

        private void Complete()
        {
            if (_failure is null)
            {
                _completion.TrySetResult();
                CompleteStage();
            }
            else
            {
                _completion.TrySetException(_failure);
                FailStage(_failure);
            }
        }
    }
}
