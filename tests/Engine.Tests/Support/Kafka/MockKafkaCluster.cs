using System.Runtime.InteropServices;
using System.Text;

namespace SalesDash.Engine.Tests.Support.Kafka;

/// <summary>
/// A Kafka cluster served in-process by librdkafka's mock broker (the one Confluent.Kafka ships in
/// librdkafka.redist): real Kafka protocol on loopback, so real producers and consumer groups talk to it,
/// and tests can take a broker down and bring it back. Reached through P/Invoke because Confluent.Kafka
/// does not expose the mock API.
/// </summary>
public sealed class MockKafkaCluster : IDisposable
{
    /// <summary>Three brokers, so a topic can have replication factor 3 and a leader can go down.</summary>
    public const int DefaultBrokers = 3;

    private readonly Native _native;
    private readonly IntPtr _handle;
    private readonly IntPtr _cluster;
    private bool _disposed;

    private MockKafkaCluster(Native native, IntPtr handle, IntPtr cluster, int brokers)
    {
        _native = native;
        _handle = handle;
        _cluster = cluster;
        Brokers = brokers;
        BootstrapServers = Marshal.PtrToStringUTF8(native.ClusterBootstraps(cluster))
            ?? throw new InvalidOperationException("The mock cluster returned no bootstrap servers.");
    }

    /// <summary>Comma-separated host:port list of the mock brokers on loopback.</summary>
    public string BootstrapServers { get; }

    public int Brokers { get; }

    /// <summary>Starts a mock cluster; its brokers have ids 1..<paramref name="brokers"/>.</summary>
    public static MockKafkaCluster Start(int brokers = DefaultBrokers)
    {
        var native = Native.Instance.Value;
        var conf = native.ConfNew();
        var error = new StringBuilder(512);
        // The handle only hosts the mock cluster; it never produces, so silence its own logging.
        if (native.ConfSet(conf, "log_level", "3", error, (UIntPtr)error.Capacity) != 0)
        {
            throw new InvalidOperationException($"rd_kafka_conf_set failed: {error}");
        }

        var handle = native.New(0, conf, error, (UIntPtr)error.Capacity);
        if (handle == IntPtr.Zero)
        {
            throw new InvalidOperationException($"rd_kafka_new failed: {error}");
        }

        var cluster = native.ClusterNew(handle, brokers);
        if (cluster == IntPtr.Zero)
        {
            native.Destroy(handle);
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed.");
        }

        // A real broker waits 3 s for more members before the first rebalance; tests start one consumer at a time.
        native.GroupInitialRebalanceDelay(cluster, 0);
        return new MockKafkaCluster(native, handle, cluster, brokers);
    }

    public void CreateTopic(string topic, int partitions, int replicationFactor = DefaultBrokers) =>
        Check(_native.TopicCreate(_cluster, topic, partitions, replicationFactor), $"create topic {topic}");

    /// <summary>Makes <paramref name="brokerId"/> the leader of one partition, so a test knows whom to take down.</summary>
    public void SetPartitionLeader(string topic, int partition, int brokerId) =>
        Check(_native.PartitionSetLeader(_cluster, topic, partition, brokerId), $"set leader of {topic}[{partition}]");

    /// <summary>
    /// Deletes the partition's records below <paramref name="offset"/>, as retention does on a real broker: the
    /// log then starts at <paramref name="offset"/>, and a consumer whose position is below it finds its offset out of range.
    /// </summary>
    public void DeleteRecordsBefore(string topic, int partition, long offset) =>
        Check(_native.PartitionDeleteRecords(_cluster, topic, partition, offset), $"delete records of {topic}[{partition}] before {offset}");

    /// <summary>The broker stops answering: its connections are closed and new ones refused.</summary>
    public void SetBrokerDown(int brokerId) => Check(_native.BrokerSetDown(_cluster, brokerId), $"take broker {brokerId} down");

    public void SetBrokerUp(int brokerId) => Check(_native.BrokerSetUp(_cluster, brokerId), $"bring broker {brokerId} up");

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _native.ClusterDestroy(_cluster);
        _native.Destroy(_handle);
    }

    private static void Check(int errorCode, string what)
    {
        if (errorCode != 0)
        {
            throw new InvalidOperationException($"Mock cluster could not {what}: librdkafka error {errorCode}.");
        }
    }

    /// <summary>The librdkafka exports the mock cluster needs, bound once per process.</summary>
    private sealed class Native
    {
        public static readonly Lazy<Native> Instance = new(Load);

        private Native(IntPtr library)
        {
            ConfNew = Bind<ConfNewFn>(library, "rd_kafka_conf_new");
            ConfSet = Bind<ConfSetFn>(library, "rd_kafka_conf_set");
            New = Bind<NewFn>(library, "rd_kafka_new");
            Destroy = Bind<DestroyFn>(library, "rd_kafka_destroy");
            ClusterNew = Bind<ClusterNewFn>(library, "rd_kafka_mock_cluster_new");
            ClusterBootstraps = Bind<ClusterBootstrapsFn>(library, "rd_kafka_mock_cluster_bootstraps");
            ClusterDestroy = Bind<ClusterDestroyFn>(library, "rd_kafka_mock_cluster_destroy");
            TopicCreate = Bind<TopicCreateFn>(library, "rd_kafka_mock_topic_create");
            PartitionSetLeader = Bind<PartitionSetLeaderFn>(library, "rd_kafka_mock_partition_set_leader");
            BrokerSetDown = Bind<BrokerFn>(library, "rd_kafka_mock_broker_set_down");
            BrokerSetUp = Bind<BrokerFn>(library, "rd_kafka_mock_broker_set_up");
            PartitionDeleteRecords = Bind<PartitionDeleteRecordsFn>(library, "rd_kafka_mock_partition_delete_records");
            GroupInitialRebalanceDelay = Bind<GroupInitialRebalanceDelayFn>(library, "rd_kafka_mock_group_initial_rebalance_delay_ms");
        }

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate IntPtr ConfNewFn();

        [UnmanagedFunctionPointer(CallingConvention.Cdecl, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        public delegate int ConfSetFn(IntPtr conf, string name, string value, StringBuilder errstr, UIntPtr errstrSize);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        public delegate IntPtr NewFn(int type, IntPtr conf, StringBuilder errstr, UIntPtr errstrSize);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate void DestroyFn(IntPtr handle);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate IntPtr ClusterNewFn(IntPtr handle, int brokerCount);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate IntPtr ClusterBootstrapsFn(IntPtr cluster);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate void ClusterDestroyFn(IntPtr cluster);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        public delegate int TopicCreateFn(IntPtr cluster, string topic, int partitions, int replicationFactor);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        public delegate int PartitionSetLeaderFn(IntPtr cluster, string topic, int partition, int brokerId);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        public delegate int PartitionDeleteRecordsFn(IntPtr cluster, string topic, int partition, long offset);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate int BrokerFn(IntPtr cluster, int brokerId);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate void GroupInitialRebalanceDelayFn(IntPtr cluster, int delayMs);

        public ConfNewFn ConfNew { get; }

        public ConfSetFn ConfSet { get; }

        public NewFn New { get; }

        public DestroyFn Destroy { get; }

        public ClusterNewFn ClusterNew { get; }

        public ClusterBootstrapsFn ClusterBootstraps { get; }

        public ClusterDestroyFn ClusterDestroy { get; }

        public TopicCreateFn TopicCreate { get; }

        public PartitionSetLeaderFn PartitionSetLeader { get; }

        public PartitionDeleteRecordsFn PartitionDeleteRecords { get; }

        public BrokerFn BrokerSetDown { get; }

        public BrokerFn BrokerSetUp { get; }

        public GroupInitialRebalanceDelayFn GroupInitialRebalanceDelay { get; }

        private static T Bind<T>(IntPtr library, string name)
            where T : Delegate => Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(library, name));

        // The plain librdkafka.so needs libsasl2.so.3, which Debian does not ship (it has .so.2); the centos8
        // build links only what glibc systems have, so it is tried first and the plain one kept as a fallback.
        private static Native Load()
        {
            var native = Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeFolder(), "native");
            var failures = new List<string>();
            foreach (var name in new[] { "centos8-librdkafka.so", "librdkafka.so", "librdkafka.dylib", "librdkafka.dll" })
            {
                var path = Path.Combine(native, name);
                if (!File.Exists(path))
                {
                    continue;
                }

                try
                {
                    return new Native(NativeLibrary.Load(path));
                }
                catch (DllNotFoundException e)
                {
                    failures.Add($"{name}: {e.Message}");
                }
            }

            throw new DllNotFoundException($"No loadable librdkafka under {native}: {string.Join("; ", failures)}");
        }

        private static string RuntimeFolder()
        {
            var arch = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "arm64" : "x64";
            var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
            return $"{os}-{arch}";
        }
    }
}
