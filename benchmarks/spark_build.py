"""Driver script for spark-submit: runs the `reelgraph` command line inside the Spark driver.

    spark-submit --master spark://HOST:7077 benchmarks/spark_build.py \
        build --data /data/ml-32m --engine spark --k 50

The Spark engine finds the session spark-submit configured (master, memory settings).
"""

from reelgraph.cli import main

if __name__ == "__main__":
    main()
