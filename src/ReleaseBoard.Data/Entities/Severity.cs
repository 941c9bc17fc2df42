namespace ReleaseBoard.Data.Entities;

/// <summary>Severity is 1 (worst) to 4; 4 is recorded and shown but counts in no figure by default.</summary>
public static class Severity
{
    public const int Worst = 1;
    public const int Least = 4;
    public const int DefaultCountingThreshold = 3;

    public static bool IsValid(int severity) => severity is >= Worst and <= Least;
}
