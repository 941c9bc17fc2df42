using System.Runtime.CompilerServices;
using Bunit;

namespace ReleaseBoard.Tests.Support;

internal static class BunitDefaults
{
    /// <summary>
    /// bUnit waits one second by default. The first render of a test may include EF Core's first query in the
    /// process and a fresh SQLite file, which on a busy two-core CI machine can take longer than that; a wait
    /// still ends as soon as its assertion holds, so the longer ceiling costs nothing when all is well.
    /// </summary>
    [ModuleInitializer]
    internal static void UseAPatientWaitTimeout() => BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(10);
}
