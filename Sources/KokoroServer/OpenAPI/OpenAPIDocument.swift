/// The OpenAPI 3.1 document served at `/openapi.json`: every route and request field the
/// server accepts. `OpenAPITests` holds it to the route table and the request bodies, and
/// `scripts/fuzz.sh` holds the server to it with schemathesis.
enum OpenAPIDocument {
    static let json = #"""
{
 "openapi": "3.1.0",
 "info": {
  "title": "kokoro-swift",
  "version": "1.0.0",
  "description": "A local text-to-speech server for Kokoro-82M, compatible with OpenAI's speech API. Every error is OpenAI's shape, {\"error\": {\"message\", \"type\", \"param\", \"code\"}}, with a message naming the cause and the fix. With API keys configured, every route but /, /health and /ready needs `Authorization: Bearer KEY`. Not described here (OpenAPI has no WebSocket): GET /v1/audio/speech/live, a WebSocket for text that arrives as it is written (see the README)."
 },
 "paths": {
  "/v1/audio/speech": {
   "post": {
    "operationId": "createSpeech",
    "summary": "Text to speech (OpenAI's endpoint)",
    "description": "OpenAI's speech API, with the fields older Kokoro clients send. Fields not listed are accepted and ignored, as OpenAI's SDK may send newer ones.",
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/SpeechRequest"
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "Audio in the requested format: streamed as it is made (chunked) when `stream` is true (the default), else a finished file with exact headers.",
      "headers": {
       "X-Audio-Duration": {
        "description": "Seconds of audio (whole files only).",
        "schema": {
         "type": "string"
        }
       },
       "X-Generation-Time": {
        "description": "Seconds from request to file (whole files only).",
        "schema": {
         "type": "string"
        }
       },
       "X-RTF": {
        "description": "Generation time over audio duration (whole files only).",
        "schema": {
         "type": "string"
        }
       },
       "X-Speed-Clamped": {
        "description": "Present when the requested speed was outside Kokoro's range and was clamped.",
        "schema": {
         "type": "string"
        }
       },
       "X-Request-Id": {
        "$ref": "#/components/headers/RequestId"
       },
       "X-Instructions-Ignored": {
        "description": "Present when `instructions` were given: they are not followed.",
        "schema": {
         "type": "string"
        }
       }
      },
      "content": {
       "audio/mpeg": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       },
       "audio/ogg; codecs=opus": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       },
       "audio/aac": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       },
       "audio/flac": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       },
       "audio/wav": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       },
       "audio/pcm": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       },
       "text/event-stream": {
        "schema": {
         "type": "object",
         "description": "One Server-Sent Event; its data is JSON: {\"type\":\"speech.audio.delta\",\"audio\":base64} for each piece of audio, each followed by {\"type\":\"speech.audio.timestamps\",\"timestamps\":[{\"word\",\"start_time\",\"end_time\"}]} for the words that end in the audio so far (when there are any; seconds from the start), then {\"type\":\"speech.audio.done\",\"usage\":{\"input_tokens\",\"output_tokens\",\"total_tokens\"}}.",
         "required": [
          "data"
         ],
         "properties": {
          "event": {
           "type": "string"
          },
          "data": {
           "type": "string",
           "contentMediaType": "application/json"
          }
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "413": {
      "$ref": "#/components/responses/Error"
     },
     "500": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   }
  },
  "/audio/speech": {
   "post": {
    "operationId": "createSpeechUnversioned",
    "summary": "Text to speech (OpenAI's endpoint)",
    "description": "OpenAI's speech API, with the fields older Kokoro clients send. Fields not listed are accepted and ignored, as OpenAI's SDK may send newer ones.",
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/SpeechRequest"
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "Audio in the requested format: streamed as it is made (chunked) when `stream` is true (the default), else a finished file with exact headers.",
      "headers": {
       "X-Audio-Duration": {
        "description": "Seconds of audio (whole files only).",
        "schema": {
         "type": "string"
        }
       },
       "X-Generation-Time": {
        "description": "Seconds from request to file (whole files only).",
        "schema": {
         "type": "string"
        }
       },
       "X-RTF": {
        "description": "Generation time over audio duration (whole files only).",
        "schema": {
         "type": "string"
        }
       },
       "X-Speed-Clamped": {
        "description": "Present when the requested speed was outside Kokoro's range and was clamped.",
        "schema": {
         "type": "string"
        }
       },
       "X-Request-Id": {
        "$ref": "#/components/headers/RequestId"
       },
       "X-Instructions-Ignored": {
        "description": "Present when `instructions` were given: they are not followed.",
        "schema": {
         "type": "string"
        }
       }
      },
      "content": {
       "audio/mpeg": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       },
       "audio/ogg; codecs=opus": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       },
       "audio/aac": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       },
       "audio/flac": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       },
       "audio/wav": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       },
       "audio/pcm": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       },
       "text/event-stream": {
        "schema": {
         "type": "object",
         "description": "One Server-Sent Event; its data is JSON: {\"type\":\"speech.audio.delta\",\"audio\":base64} for each piece of audio, each followed by {\"type\":\"speech.audio.timestamps\",\"timestamps\":[{\"word\",\"start_time\",\"end_time\"}]} for the words that end in the audio so far (when there are any; seconds from the start), then {\"type\":\"speech.audio.done\",\"usage\":{\"input_tokens\",\"output_tokens\",\"total_tokens\"}}.",
         "required": [
          "data"
         ],
         "properties": {
          "event": {
           "type": "string"
          },
          "data": {
           "type": "string",
           "contentMediaType": "application/json"
          }
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "413": {
      "$ref": "#/components/responses/Error"
     },
     "500": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   }
  },
  "/v1/audio/voices": {
   "get": {
    "operationId": "listVoices",
    "summary": "Installed voices",
    "parameters": [
     {
      "name": "legacy",
      "in": "query",
      "required": false,
      "description": "true or 1: the names only, as Kokoro-FastAPI lists them.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The voices.",
      "headers": {
       "X-Request-Id": {
        "$ref": "#/components/headers/RequestId"
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/VoiceList"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "500": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   }
  },
  "/audio/voices": {
   "get": {
    "operationId": "listVoicesUnversioned",
    "summary": "Installed voices",
    "parameters": [
     {
      "name": "legacy",
      "in": "query",
      "required": false,
      "description": "true or 1: the names only, as Kokoro-FastAPI lists them.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The voices.",
      "headers": {
       "X-Request-Id": {
        "$ref": "#/components/headers/RequestId"
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/VoiceList"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "500": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   }
  },
  "/v1/models": {
   "get": {
    "operationId": "listModels",
    "summary": "Model names accepted in `model`",
    "responses": {
     "200": {
      "description": "The models.",
      "headers": {
       "X-Request-Id": {
        "$ref": "#/components/headers/RequestId"
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ModelList"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/audio/models": {
   "get": {
    "operationId": "listModelsUnversioned",
    "summary": "Model names accepted in `model`",
    "responses": {
     "200": {
      "description": "The models.",
      "headers": {
       "X-Request-Id": {
        "$ref": "#/components/headers/RequestId"
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ModelList"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/v1/lexicon": {
   "get": {
    "operationId": "getLexicon",
    "summary": "Your pronunciations, as the lexicon file holds them",
    "description": "Words read before any built-in dictionary, per language. The server reads its --lexicon file again whenever it changes; 409 when it was started without one.",
    "responses": {
     "200": {
      "description": "The lexicon in use.",
      "headers": {
       "X-Request-Id": {
        "$ref": "#/components/headers/RequestId"
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Lexicon"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     }
    }
   },
   "put": {
    "operationId": "putLexicon",
    "summary": "Replace your pronunciations",
    "description": "Checks the whole lexicon (phonemes against Kokoro's vocabulary), writes it to the --lexicon file and uses it from the next request. 400 names the entry at fault; 409 when the server has no lexicon file.",
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/Lexicon"
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "The lexicon in use.",
      "headers": {
       "X-Request-Id": {
        "$ref": "#/components/headers/RequestId"
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Lexicon"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     },
     "413": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/dev/phonemize": {
   "post": {
    "operationId": "phonemize",
    "summary": "The phonemes and pieces a text would be spoken as",
    "description": "Takes a slot like speech and obeys --max-input; absent when the server runs with --dev-routes off.",
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/PhonemizeRequest"
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "Phonemes, tokens and pieces.",
      "headers": {
       "X-Request-Id": {
        "$ref": "#/components/headers/RequestId"
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/PhonemizeResult"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "413": {
      "$ref": "#/components/responses/Error"
     },
     "500": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   }
  },
  "/dev/generate_from_phonemes": {
   "post": {
    "operationId": "generateFromPhonemes",
    "summary": "Speak phonemes given directly",
    "description": "A whole file. Takes a slot like speech and obeys --max-input; absent when the server runs with --dev-routes off.",
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/PhonemesRequest"
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "The audio file.",
      "headers": {
       "X-Request-Id": {
        "$ref": "#/components/headers/RequestId"
       }
      },
      "content": {
       "audio/mpeg": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       },
       "audio/ogg; codecs=opus": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       },
       "audio/aac": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       },
       "audio/flac": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       },
       "audio/wav": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       },
       "audio/pcm": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "413": {
      "$ref": "#/components/responses/Error"
     },
     "500": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   }
  },
  "/dev/captioned_speech": {
   "post": {
    "operationId": "createCaptionedSpeech",
    "summary": "Text to speech with word timestamps (Kokoro-FastAPI's shape)",
    "description": "The body of /v1/audio/speech (stream_format sse excepted). With stream false, one JSON object; with stream true (the default), one such object per line as the audio is made, each with the words that end in its audio. Each word is the text as sent (\"$5\" is one word though read as two); times are seconds from the start of the audio. Takes a slot like speech; absent when the server runs with --dev-routes off.",
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/SpeechRequest"
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "The audio (base64, in the response_format) and its words' timings.",
      "headers": {
       "X-Request-Id": {
        "$ref": "#/components/headers/RequestId"
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CaptionedAudio"
        }
       },
       "application/x-ndjson": {
        "schema": {
         "$ref": "#/components/schemas/CaptionedAudio"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "413": {
      "$ref": "#/components/responses/Error"
     },
     "500": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Unavailable"
     }
    }
   }
  },
  "/health": {
   "get": {
    "operationId": "health",
    "summary": "Liveness: 200 while the process serves HTTP",
    "responses": {
     "200": {
      "description": "Alive.",
      "headers": {
       "X-Request-Id": {
        "$ref": "#/components/headers/RequestId"
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Probe"
        }
       }
      }
     }
    }
   }
  },
  "/ready": {
   "get": {
    "operationId": "ready",
    "summary": "Readiness: 200 once the model is loaded and warm; 503 while loading, warming, draining or failed",
    "responses": {
     "200": {
      "description": "Ready.",
      "headers": {
       "X-Request-Id": {
        "$ref": "#/components/headers/RequestId"
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Probe"
        }
       }
      }
     },
     "503": {
      "description": "Not ready (loading, warming, draining, failed).",
      "headers": {
       "X-Request-Id": {
        "$ref": "#/components/headers/RequestId"
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Probe"
        }
       }
      }
     }
    }
   }
  },
  "/status": {
   "get": {
    "operationId": "status",
    "summary": "What the server is doing",
    "responses": {
     "200": {
      "description": "Status.",
      "headers": {
       "X-Request-Id": {
        "$ref": "#/components/headers/RequestId"
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Status"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/v1/stats": {
   "get": {
    "operationId": "stats",
    "summary": "Measured figures: requests, queue, caches, scheduler, memory, loudness, warm-up",
    "responses": {
     "200": {
      "description": "Statistics.",
      "headers": {
       "X-Request-Id": {
        "$ref": "#/components/headers/RequestId"
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Stats"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/metrics": {
   "get": {
    "operationId": "metrics",
    "summary": "Prometheus metrics",
    "responses": {
     "200": {
      "description": "Prometheus text exposition.",
      "headers": {
       "X-Request-Id": {
        "$ref": "#/components/headers/RequestId"
       }
      },
      "content": {
       "text/plain; version=0.0.4": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/openapi.json": {
   "get": {
    "operationId": "openapi",
    "summary": "This document",
    "responses": {
     "200": {
      "description": "OpenAPI 3.1.",
      "headers": {
       "X-Request-Id": {
        "$ref": "#/components/headers/RequestId"
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/": {
   "get": {
    "operationId": "page",
    "summary": "The web page",
    "responses": {
     "200": {
      "description": "HTML.",
      "headers": {
       "X-Request-Id": {
        "$ref": "#/components/headers/RequestId"
       }
      },
      "content": {
       "text/html; charset=utf-8": {
        "schema": {
         "type": "string"
        }
       }
      }
     }
    }
   }
  }
 },
 "components": {
  "headers": {
   "RequestId": {
    "description": "The request's id (the client's X-Request-Id, or a new one); it is in the server's log lines.",
    "schema": {
     "type": "string"
    }
   }
  },
  "responses": {
   "Error": {
    "description": "An error, OpenAI's shape.",
    "headers": {
     "X-Request-Id": {
      "$ref": "#/components/headers/RequestId"
     }
    },
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "Unavailable": {
    "description": "Not now: loading, draining, or at capacity (then Retry-After says when to come back).",
    "headers": {
     "X-Request-Id": {
      "$ref": "#/components/headers/RequestId"
     },
     "Retry-After": {
      "description": "Seconds to wait.",
      "schema": {
       "type": "string"
      }
     }
    },
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   }
  },
  "schemas": {
   "Error": {
    "type": "object",
    "required": [
     "error"
    ],
    "properties": {
     "error": {
      "type": "object",
      "required": [
       "message",
       "type"
      ],
      "properties": {
       "message": {
        "type": "string"
       },
       "type": {
        "type": "string"
       },
       "param": {
        "type": [
         "string",
         "null"
        ]
       },
       "code": {
        "type": [
         "string",
         "null"
        ]
       }
      }
     }
    }
   },
   "SpeechRequest": {
    "type": "object",
    "additionalProperties": true,
    "description": "`input` (or `text`) is required.",
    "properties": {
     "model": {
      "type": "string",
      "description": "kokoro, tts-1, tts-1-hd or gpt-4o-mini-tts (all the same model); others are a 400.",
      "enum": [
       "kokoro",
       "tts-1",
       "tts-1-hd",
       "gpt-4o-mini-tts"
      ]
     },
     "input": {
      "type": "string",
      "description": "The text, at most --max-input characters (default 20000). Inline `[pause:1.5s]` markers insert silence; `[word](/phonemes/)` sets a pronunciation. The whole request's audio may last at most --max-audio-seconds (default 1800), else 413.",
      "examples": [
       "Hello there! It is 3:30 p.m. on May 5th, 2025."
      ]
     },
     "text": {
      "type": "string",
      "description": "Alias of input."
     },
     "voice": {
      "type": "string",
      "description": "A voice (af_heart), an OpenAI voice name (alloy, …), or a blend of at most 8 voices: af_bella(2)+af_sky(1).",
      "examples": [
       "af_heart",
       "af_bella(2)+af_sky(1)"
      ]
     },
     "response_format": {
      "type": "string",
      "description": "mp3 (default), opus, aac, flac, wav or pcm (16-bit mono 24 kHz).",
      "enum": [
       "mp3",
       "opus",
       "aac",
       "flac",
       "wav",
       "pcm"
      ]
     },
     "format": {
      "type": "string",
      "description": "Alias of response_format.",
      "enum": [
       "mp3",
       "opus",
       "aac",
       "flac",
       "wav",
       "pcm"
      ]
     },
     "speed": {
      "type": "number",
      "description": "0.25 to 4.0 as OpenAI accepts; applied within Kokoro's 0.5 to 2.0 (X-Speed-Clamped says when clamped).",
      "minimum": 0.25,
      "maximum": 4.0
     },
     "stream": {
      "type": "boolean",
      "description": "Stream audio as it is made (default true)."
     },
     "lang": {
      "type": "string",
      "description": "Language: en-us, en-gb, es, fr, hi, it, ja, pt-br, zh (default: from the voice).",
      "examples": [
       "en-us"
      ]
     },
     "lang_code": {
      "type": "string",
      "description": "Alias of lang."
     },
     "no_cache": {
      "type": "boolean",
      "description": "Do not use the audio cache for this request."
     },
     "stream_format": {
      "type": "string",
      "enum": [
       "audio",
       "sse"
      ],
      "description": "audio (default): the file's bytes; sse: Server-Sent Events, `speech.audio.delta` events with base64 audio in the response_format and `speech.audio.timestamps` events with word timings, then `speech.audio.done` with usage (input tokens: the phoneme tokens read; output tokens: 25 ms frames of audio made)."
     },
     "instructions": {
      "type": "string",
      "description": "Accepted, not followed: Kokoro has no style control. The response then carries X-Instructions-Ignored."
     },
     "normalization_options": {
      "$ref": "#/components/schemas/NormalizationOptions"
     }
    }
   },
   "PhonemizeRequest": {
    "type": "object",
    "required": [
     "input"
    ],
    "additionalProperties": true,
    "properties": {
     "input": {
      "type": "string",
      "examples": [
       "Hello there."
      ]
     },
     "voice": {
      "type": "string",
      "examples": [
       "af_heart"
      ]
     },
     "language": {
      "type": "string"
     },
     "normalization_options": {
      "$ref": "#/components/schemas/NormalizationOptions"
     }
    }
   },
   "PhonemizeResult": {
    "type": "object",
    "required": [
     "phonemes",
     "tokens",
     "language",
     "segments"
    ],
    "properties": {
     "phonemes": {
      "type": "string"
     },
     "tokens": {
      "type": "array",
      "items": {
       "type": "integer"
      }
     },
     "language": {
      "type": "string"
     },
     "segments": {
      "type": "array",
      "items": {
       "type": "object",
       "required": [
        "phonemes",
        "tokens"
       ],
       "properties": {
        "phonemes": {
         "type": "string"
        },
        "tokens": {
         "type": "array",
         "items": {
          "type": "integer"
         }
        }
       }
      }
     }
    }
   },
   "CaptionedAudio": {
    "type": "object",
    "required": [
     "audio",
     "audio_format",
     "timestamps"
    ],
    "properties": {
     "audio": {
      "type": "string",
      "contentEncoding": "base64"
     },
     "audio_format": {
      "type": "string"
     },
     "timestamps": {
      "type": "array",
      "items": {
       "type": "object",
       "required": [
        "word",
        "start_time",
        "end_time"
       ],
       "properties": {
        "word": {
         "type": "string"
        },
        "start_time": {
         "type": "number",
         "minimum": 0
        },
        "end_time": {
         "type": "number",
         "minimum": 0
        }
       }
      }
     }
    }
   },
   "PhonemesRequest": {
    "type": "object",
    "required": [
     "phonemes"
    ],
    "additionalProperties": true,
    "properties": {
     "phonemes": {
      "type": "string",
      "examples": [
       "həlˈO ðˈɛɹ."
      ]
     },
     "voice": {
      "type": "string",
      "examples": [
       "af_heart"
      ]
     },
     "speed": {
      "type": "number"
     },
     "response_format": {
      "type": "string",
      "enum": [
       "mp3",
       "opus",
       "aac",
       "flac",
       "wav",
       "pcm"
      ]
     }
    }
   },
   "VoiceList": {
    "type": "object",
    "required": [
     "voices"
    ],
    "properties": {
     "voices": {
      "type": "array",
      "items": {
       "oneOf": [
        {
         "type": "string"
        },
        {
         "type": "object",
         "required": [
          "id",
          "name",
          "language",
          "gender"
         ],
         "properties": {
          "id": {
           "type": "string"
          },
          "name": {
           "type": "string"
          },
          "language": {
           "type": "string"
          },
          "gender": {
           "type": "string"
          }
         }
        }
       ]
      }
     }
    }
   },
   "ModelList": {
    "type": "object",
    "required": [
     "object",
     "data"
    ],
    "properties": {
     "object": {
      "const": "list"
     },
     "data": {
      "type": "array",
      "items": {
       "type": "object",
       "required": [
        "id",
        "object",
        "created",
        "owned_by"
       ],
       "properties": {
        "id": {
         "type": "string"
        },
        "object": {
         "const": "model"
        },
        "created": {
         "type": "integer"
        },
        "owned_by": {
         "type": "string"
        }
       }
      }
     }
    }
   },
   "Probe": {
    "type": "object",
    "required": [
     "status"
    ],
    "properties": {
     "status": {
      "type": "string"
     },
     "detail": {
      "type": [
       "string",
       "null"
      ]
     }
    }
   },
   "Status": {
    "type": "object",
    "required": [
     "status",
     "providers",
     "voices",
     "uptime_seconds",
     "active_requests",
     "queued_requests",
     "max_concurrent_requests",
     "max_queued_requests",
     "calibrated_voices",
     "calibrating_voices"
    ],
    "properties": {
     "status": {
      "type": "string"
     },
     "detail": {
      "type": [
       "string",
       "null"
      ]
     },
     "model": {
      "type": [
       "string",
       "null"
      ]
     },
     "providers": {
      "type": "array",
      "items": {
       "type": "string"
      }
     },
     "voices": {
      "type": "integer"
     },
     "default_voice": {
      "type": [
       "string",
       "null"
      ]
     },
     "uptime_seconds": {
      "type": "number"
     },
     "startup_seconds": {
      "type": [
       "number",
       "null"
      ]
     },
     "active_requests": {
      "type": "integer"
     },
     "queued_requests": {
      "type": "integer"
     },
     "max_concurrent_requests": {
      "type": "integer"
     },
     "max_queued_requests": {
      "type": "integer"
     },
     "decoder_windows": {
      "type": [
       "string",
       "null"
      ],
      "description": "FIRST/LONGEST/CONTEXT frames of the decoder's windows; null: whole sentences"
     },
     "first_window_frames": {
      "type": [
       "integer",
       "null"
      ],
      "description": "frames (25 ms each) a lone new stream's first window keeps at the decoder's measured pace: FIRST, or more on a slow machine so the next window keeps up; null: whole sentences"
     },
     "calibrated_voices": {
      "type": "array",
      "items": {
       "type": "string"
      },
      "description": "voices with decoder statistics: they speak in windows"
     },
     "calibrating_voices": {
      "type": "array",
      "items": {
       "type": "string"
      },
      "description": "voices being calibrated: whole sentences until done"
     }
    }
   },
   "Stats": {
    "type": "object",
    "required": [
     "uptime_seconds",
     "requests",
     "queue",
     "memory_watchdog",
     "warmup"
    ],
    "properties": {
     "uptime_seconds": {
      "type": "number"
     },
     "requests": {
      "type": "object"
     },
     "queue": {
      "type": "object",
      "required": [
       "active",
       "queued",
       "max_active",
       "max_queued"
      ],
      "properties": {
       "active": {
        "type": "integer"
       },
       "queued": {
        "type": "integer"
       },
       "max_active": {
        "type": "integer"
       },
       "max_queued": {
        "type": "integer"
       }
      }
     },
     "caches": {
      "type": "object"
     },
     "scheduler": {
      "type": "object"
     },
     "memory": {
      "type": "object"
     },
     "memory_watchdog": {
      "type": "object"
     },
     "arena": {
      "type": "object"
     },
     "loudness": {
      "type": "object"
     },
     "warmup": {
      "type": "object"
     }
    }
   },
   "Lexicon": {
    "type": "object",
    "description": "Languages (en-us, en-gb, es, fr-fr, hi, it, pt-br; also their short codes), each a map of words to /phonemes/ (between slashes, Kokoro's symbols as `kokoro phonemize` prints them) or a respelling read instead. Words match whole, ignoring case; at most 10,000 entries.",
    "additionalProperties": {
     "type": "object",
     "maxProperties": 10000,
     "propertyNames": {
      "minLength": 1,
      "maxLength": 64
     },
     "additionalProperties": {
      "type": "string",
      "minLength": 1,
      "maxLength": 258
     }
    },
    "example": {
     "en-us": {
      "Kokoro": "/kˈOkəɹO/",
      "nginx": "engine x"
     }
    }
   },
   "NormalizationOptions": {
    "type": "object",
    "description": "Kokoro-FastAPI's normalization options, field for field; a field left out takes Kokoro-FastAPI's default. Without the object, everything is on (units included). English only: espeak-ng languages are read as espeak-ng reads them.",
    "properties": {
     "normalize": {
      "type": "boolean",
      "default": true,
      "description": "Off: the text reaches the phonemizer as written; misaki's own rules still read numbers, currency and the symbols it knows, as Kokoro was trained."
     },
     "unit_normalization": {
      "type": "boolean",
      "default": false,
      "description": "\"10 km\" read \"ten kilometers\"."
     },
     "url_normalization": {
      "type": "boolean",
      "default": true,
      "description": "URLs and domains read part by part."
     },
     "email_normalization": {
      "type": "boolean",
      "default": true,
      "description": "E-mail addresses read \"a dot b at example dot com\"."
     },
     "optional_pluralization_normalization": {
      "type": "boolean",
      "default": true,
      "description": "\"file(s)\" read \"files\"."
     },
     "phone_normalization": {
      "type": "boolean",
      "default": true,
      "description": "Phone numbers read in groups of digits."
     },
     "replace_remaining_symbols": {
      "type": "boolean",
      "default": true,
      "description": "Accepted, changes nothing: misaki reads %, &, + and @ itself."
     }
    }
   }
  }
 }
}
"""#
}
