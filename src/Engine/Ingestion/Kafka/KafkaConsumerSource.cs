using Akka.Streams;
using Akka.Streams.Stage;

namespace SalesDash.Engine.Ingestion.Kafka;

/// <summary>
/// Source of consumed events, one element per poll, so the engine can hand each store its records of a poll in one
/// message. It asks the consumer for a batch only when downstream pulls, with at most one request outstanding, so
/// records stay in Kafka while the engine is behind. Completes when the consumer is stopped; fails when the consumer does.
/// </summary>
internal sealed class KafkaConsumerSource : GraphStage<SourceShape<IReadOnlyList<ConsumedCommerceEvent>>>
{
    private readonly KafkaConsumerDriver _driver;

    public KafkaConsumerSource(KafkaConsumerDriver driver)
    {
        _driver = driver;
        Shape = new SourceShape<IReadOnlyList<ConsumedCommerceEvent>>(Out);
    }

    public Outlet<IReadOnlyList<ConsumedCommerceEvent>> Out { get; } = new("kafka.consumer.out");

    public override SourceShape<IReadOnlyList<ConsumedCommerceEvent>> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("kafka-consumer-source");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly KafkaConsumerSource _stage;
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
            if (!_polling)
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

            // Only polled on a pull, so the outlet is available.
            Push(_stage.Out, batch.Result);
        }
    }
}
