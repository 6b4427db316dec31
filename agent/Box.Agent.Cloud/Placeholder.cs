namespace Box.Agent.Cloud; internal static class Placeholder { }
