using System.Globalization;
using System.Runtime.InteropServices;

namespace SalesDash.Bench;

/// <summary>The facts a reader needs to compare these figures with their own machine's.</summary>
public static class MachineFacts
{
    public static string Describe()
    {
        var memoryGiB = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return string.Create(CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} cores, {memoryGiB:0.0} GiB, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, " +
            $"{(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC, load average {LoadAverage()}");
    }

    /// <summary>The 1-minute load average: on a shared machine it says how much else was running.</summary>
    public static string LoadAverage()
    {
        const string path = "/proc/loadavg";
        return File.Exists(path) ? File.ReadAllText(path).Split(' ')[0] : "n/a";
    }
}

/// <summary>
/// How much CPU this process got during a phase. On a shared machine a phase that got a fraction of a core was
/// starved, not slow: this tells the two apart.
/// </summary>
public readonly record struct CpuShare(TimeSpan ProcessorTime, long Timestamp)
{
    public static CpuShare Now(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return new CpuShare(process.TotalProcessorTime, time.GetTimestamp());
    }

    /// <summary>Cores used on average since this sample, e.g. "cpu 0.4 of 2 cores".</summary>
    public string Since(TimeProvider time)
    {
        var now = Now(time);
        var wall = time.GetElapsedTime(Timestamp, now.Timestamp).TotalSeconds;
        var cores = (now.ProcessorTime - ProcessorTime).TotalSeconds / wall;
        return string.Create(CultureInfo.InvariantCulture, $"cpu {cores:0.00} of {Environment.ProcessorCount} cores");
    }
}
