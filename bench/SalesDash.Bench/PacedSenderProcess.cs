using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace SalesDash.Bench;

/// <summary>
/// Runs <see cref="PacedWebhookLoad"/> in a child process of this bench, so the paced sender's work (a Task.Run per POST,
/// HttpClient's sends, its receive and parse of every answer) runs on a thread pool of its own, as Shopify's senders do,
/// instead of queueing in the pool the app under test runs on. It still shares the machine's cores. The child is started
/// and warmed up (its JIT, its connections) before the phase, and the POSTs' timestamps come back on the same monotonic
/// clock (<see cref="Stopwatch.GetTimestamp"/> is CLOCK_MONOTONIC on Linux, one clock for every process).
/// </summary>
public sealed class PacedSenderProcess : IAsyncDisposable
{
    public const string ChildFlag = "--paced-sender-child";

    private readonly Process _child;
    private readonly string _input;
    private readonly string _output;

    private PacedSenderProcess(Process child, string input, string output)
    {
        _child = child;
        _input = input;
        _output = output;
    }

    /// <summary>Starts the child with the phase's webhooks and waits until it has warmed up and waits for <see cref="RunAsync"/>.</summary>
    public static async Task<PacedSenderProcess> StartAsync(
        Uri baseAddress, string shopDomain, IReadOnlyList<ShopifyOrderWebhook> webhooks, int rate, int maxInFlight, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        ArgumentNullException.ThrowIfNull(webhooks);
        var input = Path.GetTempFileName();
        var output = Path.GetTempFileName();
        await using (var file = File.Create(input))
        await using (var writer = new BinaryWriter(file))
        {
            writer.Write(webhooks.Count);
            foreach (var w in webhooks)
            {
                writer.Write(w.WebhookId);
                writer.Write(w.Signature);
                writer.Write(w.TotalPrice);
                writer.Write(w.Body.Length);
                writer.Write(w.Body);
            }
        }

        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (var arg in new[] { ChildFlag, input, output, baseAddress.ToString(), shopDomain, rate.ToString(CultureInfo.InvariantCulture), maxInFlight.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        // A load generator needs no server GC: workstation GC keeps its heaps and GC threads small beside the app's.
        start.Environment["DOTNET_gcServer"] = "0";
        var child = Process.Start(start) ?? throw new InvalidOperationException("The paced sender did not start.");
        var ready = await child.StandardOutput.ReadLineAsync(cancellationToken);
        if (ready != "ready")
        {
            await child.WaitForExitAsync(cancellationToken);
            throw new InvalidOperationException($"The paced sender exited before it was ready ({ready ?? "no output"}, exit code {child.ExitCode}).");
        }

        return new PacedSenderProcess(child, input, output);
    }

    /// <summary>Lets the child send its schedule and returns what it sent.</summary>
    public async Task<PacedRun> RunAsync(CancellationToken cancellationToken)
    {
        await _child.StandardInput.WriteLineAsync("go".AsMemory(), cancellationToken);
        await _child.StandardInput.FlushAsync(cancellationToken);
        await _child.WaitForExitAsync(cancellationToken);
        if (_child.ExitCode != 0)
        {
            throw new InvalidOperationException($"The paced sender failed (exit code {_child.ExitCode}).");
        }

        await using var file = File.OpenRead(_output);
        using var reader = new BinaryReader(file);
        var posts = new PostResult[reader.ReadInt32()];
        for (var i = 0; i < posts.Length; i++)
        {
            posts[i] = new PostResult(reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt64(), reader.ReadDecimal(),
                new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero));
        }

        var notSent = reader.ReadInt32();
        var firstSent = reader.ReadInt64();
        var lastResponded = reader.ReadInt64();
        var behind = TimeSpan.FromTicks(reader.ReadInt64());
        var frequency = reader.ReadInt64();
        var opened = new long[reader.ReadInt32()];
        for (var i = 0; i < opened.Length; i++)
        {
            opened[i] = reader.ReadInt64();
        }

        return new PacedRun(posts, notSent, firstSent, lastResponded, behind, frequency) { ConnectionsOpenedAt = opened };
    }

    /// <summary>The child's side: read the webhooks, warm up, say ready, wait for go, send, write what was sent.</summary>
    public static async Task<int> ChildMainAsync(IReadOnlyList<string> args)
    {
        var (input, output, baseAddress, shopDomain) = (args[0], args[1], new Uri(args[2]), args[3]);
        var rate = int.Parse(args[4], CultureInfo.InvariantCulture);
        var maxInFlight = int.Parse(args[5], CultureInfo.InvariantCulture);
        var webhooks = new List<ShopifyOrderWebhook>();
        await using (var file = File.OpenRead(input))
        using (var reader = new BinaryReader(file))
        {
            var count = reader.ReadInt32();
            for (var i = 0; i < count; i++)
            {
                var (id, signature, total) = (reader.ReadString(), reader.ReadString(), reader.ReadDecimal());
                webhooks.Add(new ShopifyOrderWebhook(id, reader.ReadBytes(reader.ReadInt32()), signature, total));
            }
        }

        // Warm-up with tiering off: HttpClient's send and receive paths compiled before the schedule (GET /healthz does no work).
        using (var http = new HttpClient { BaseAddress = baseAddress })
        {
            for (var round = 0; round < 3; round++)
            {
                await Task.WhenAll(Enumerable.Range(0, 32).Select(async _ =>
                {
                    using var response = await http.GetAsync(new Uri("healthz", UriKind.Relative));
                }));
            }
        }

        Console.Out.WriteLine("ready");
        await Console.Out.FlushAsync();
        if (await Console.In.ReadLineAsync() != "go")
        {
            return 2;
        }

        var run = await PacedWebhookLoad.RunAsync(baseAddress, shopDomain, webhooks, rate, maxInFlight, TimeProvider.System, CancellationToken.None);
        await using (var file = File.Create(output))
        await using (var writer = new BinaryWriter(file))
        {
            writer.Write(run.Posts.Length);
            foreach (var p in run.Posts)
            {
                writer.Write(p.SentAt);
                writer.Write(p.RespondedAt);
                writer.Write(p.Status);
                writer.Write(p.SentBeforeResponse);
                writer.Write(p.TotalPrice);
                writer.Write(p.AnsweredAtUtc.UtcTicks);
            }

            writer.Write(run.NotSent);
            writer.Write(run.FirstSentAt);
            writer.Write(run.LastRespondedAt);
            writer.Write(run.BehindScheduleAtEnd.Ticks);
            writer.Write(run.TimestampFrequency);
            writer.Write(run.ConnectionsOpenedAt.Count);
            foreach (var t in run.ConnectionsOpenedAt)
            {
                writer.Write(t);
            }
        }

        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_child.HasExited)
        {
            _child.Kill();
            await _child.WaitForExitAsync();
        }

        _child.Dispose();
        File.Delete(_input);
        File.Delete(_output);
    }
}
