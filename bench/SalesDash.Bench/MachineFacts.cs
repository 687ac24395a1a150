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
            $"{(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC{GcAdaptation()}, load average {LoadAverage()}");
    }

    /// <summary>Whether the GC adapts its heap count (DATAS), which changes how often it collects; the environment overrides the runtimeconfig.</summary>
    private static string GcAdaptation()
    {
        var mode = Environment.GetEnvironmentVariable("DOTNET_GCDynamicAdaptationMode") ?? AppContext.GetData("System.GC.DynamicAdaptationMode")?.ToString();
        return mode is null ? "" : mode == "0" ? " (DATAS off)" : $" (DATAS mode {mode})";
    }

    /// <summary>The 1-minute load average: on a shared machine it says how much else was running.</summary>
    public static string LoadAverage()
    {
        const string path = "/proc/loadavg";
        return File.Exists(path) ? File.ReadAllText(path).Split(' ')[0] : "n/a";
    }
}

/// <summary>
/// How much CPU this process got during a phase, and where it went. On a shared machine a phase that got a fraction
/// of a core was starved, not slow: this tells the two apart. The per-item cost (CPU, bytes allocated) does not depend
/// on how many cores the phase got, so it is the figure to compare between a busy and a quiet run; the JIT time says
/// whether the runtime was still compiling the app (tiered compilation recompiles hot methods for a while
/// after start, and on a starved box that takes minutes), not the app's own work.
/// </summary>
public readonly record struct CpuShare(TimeSpan ProcessorTime, long Timestamp, TimeSpan JitTime, TimeSpan GcPause, long Allocated)
{
    /// <summary>Gen0 collections when this sample was taken (gen1 and gen2 ones included: each starts with a gen0).</summary>
    public int Gen0Collections { get; init; }

    /// <summary>
    /// Minor page faults of the process so far (/proc/self/stat), -1 where there is none. A fault is a page touched
    /// for the first time since it was mapped or given back (the GC's decommit, DuckDB's buffers): stop 21's profile
    /// put 9% of the app's samples under one, so per item it says whether a GC setting or a buffer kept for reuse helped.
    /// </summary>
    public long MinorFaults { get; init; }

    public static CpuShare Now(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return new CpuShare(process.TotalProcessorTime, time.GetTimestamp(), System.Runtime.JitInfo.GetCompilationTime(currentThread: false),
            GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes(precise: false))
        {
            Gen0Collections = GC.CollectionCount(0),
            MinorFaults = ReadMinorFaults(),
        };
    }

    private static long ReadMinorFaults()
    {
        const string path = "/proc/self/stat";
        if (!File.Exists(path))
        {
            return -1;
        }

        // The command name (field 2) is in parentheses and may hold spaces; minflt is the 8th field after it.
        var stat = File.ReadAllText(path);
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], CultureInfo.InvariantCulture);
    }

    /// <summary>Cores used on average since this sample, e.g. "cpu 0.4 of 2 cores".</summary>
    public string Since(TimeProvider time)
    {
        var now = Now(time);
        var wall = time.GetElapsedTime(Timestamp, now.Timestamp).TotalSeconds;
        var cores = (now.ProcessorTime - ProcessorTime).TotalSeconds / wall;
        return string.Create(CultureInfo.InvariantCulture, $"cpu {cores:0.00} of {Environment.ProcessorCount} cores");
    }

    /// <summary>
    /// What each of <paramref name="items"/> cost since this sample: process CPU and bytes allocated per item, the
    /// phase's CPU beside the time threads spent in the JIT (wall clock summed over threads, as the runtime counts it:
    /// on a starved box it includes time waiting for a core, so it can exceed the CPU) and the share of the phase's wall
    /// time the GC paused it, e.g. "per webhook 766 us cpu, 21.3 KB allocated; 11.5 s cpu, threads compiling (jit) 0.4 s,
    /// gc paused 4% of the time".
    /// </summary>
    public string PerItem(TimeProvider time, int items, string item)
    {
        var now = Now(time);
        var cpu = (now.ProcessorTime - ProcessorTime).TotalSeconds;
        var jit = (now.JitTime - JitTime).TotalSeconds;
        var gc = (now.GcPause - GcPause).TotalSeconds;
        var wall = time.GetElapsedTime(Timestamp, now.Timestamp).TotalSeconds;
        var perItem = items > 0 ? cpu / items * 1e6 : double.NaN;
        var allocated = items > 0 ? (now.Allocated - Allocated) / 1024.0 / items : double.NaN;

        // After the figures earlier runs printed, so their lines still compare.
        var faults = MinorFaults < 0 || items == 0 ? "" : string.Create(CultureInfo.InvariantCulture,
            $"; {(now.MinorFaults - MinorFaults) / (double)items:0.00} minor page faults a {item} and {now.Gen0Collections - Gen0Collections} gen0 GCs in the phase ({(now.MinorFaults - MinorFaults) * 4096.0 / Math.Max(1, now.Allocated - Allocated):0.00} bytes faulted in per byte allocated, at 4 KiB a page)");
        return string.Create(CultureInfo.InvariantCulture,
            $"per {item} {perItem:0} us cpu, {allocated:0.0} KB allocated; {cpu:0.0} s cpu, threads compiling (jit) {jit:0.0} s, gc paused {Share(gc, wall)} of the time{faults}");

        static string Share(double part, double whole) => whole > 0 ? (part / whole).ToString("0%", CultureInfo.InvariantCulture) : "n/a";
    }
}
