using Akka.Streams;
using Akka.Streams.Stage;

namespace SalesDash.Engine.Ingestion.Kafka;

/// <summary>
/// Source of consumed events. It asks the consumer for a batch only when downstream pulls and its buffer is
/// empty, with at most one request outstanding, so records stay in Kafka while the engine is behind.
/// Completes when the consumer is stopped; fails when the consumer does.
/// </summary>
internal sealed class KafkaConsumerSource : GraphStage<SourceShape<ConsumedCommerceEvent>>
{
    private readonly KafkaConsumerDriver _driver;

    public KafkaConsumerSource(KafkaConsumerDriver driver)
    {
        _driver = driver;
        Shape = new SourceShape<ConsumedCommerceEvent>(Out);
    }

    public Outlet<ConsumedCommerceEvent> Out { get; } = new("kafka.consumer.out");

    public override SourceShape<ConsumedCommerceEvent> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("kafka-consumer-source");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly KafkaConsumerSource _stage;
        private readonly Queue<ConsumedCommerceEvent> _buffer = new();
        private Action<Task<IReadOnlyList<ConsumedCommerceEvent>>> _onBatch = _ => { };
        private bool _polling;

        public Logic(KafkaConsumerSource stage)
            : base(stage.Shape)
        {
            _stage = stage;
            SetHandler(stage.Out, this);
        }

        public override void PreStart() => _onBatch = GetAsyncCallback<Task<IReadOnlyList<ConsumedCommerceEvent>>>(OnBatch);

        public override void OnPull()
        {
            if (_buffer.TryDequeue(out var next))
            {
                Push(_stage.Out, next);
            }
            else if (!_polling)
            {
                _polling = true;
                _stage._driver.PollAsync().ContinueWith(_onBatch, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        private void OnBatch(Task<IReadOnlyList<ConsumedCommerceEvent>> batch)
        {
            _polling = false;
            if (batch.IsFaulted)
            {
                FailStage(batch.Exception!.GetBaseException());
                return;
            }

            // An empty batch is the consumer's way of saying it has stopped.
            if (batch.Result.Count == 0)
            {
                CompleteStage();
                return;
            }

            foreach (var consumed in batch.Result)
            {
                _buffer.Enqueue(consumed);
            }

            if (IsAvailable(_stage.Out))
            {
                Push(_stage.Out, _buffer.Dequeue());
            }
        }
    }
}
